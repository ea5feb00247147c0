package hwaas.chaos;

import hwaas.support.AuditReport;

import hwaas.support.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.jar.JarFile;

/**
 * {@code ./hwaas chaos}: the fault suite anyone can run on one machine. It starts Redis, two worker nodes and a client
 * node as real processes, plays faults on them one at a time from a seed (kills, a frozen node, cut links to Redis and
 * between nodes, slow and closed output, a full Redis), measures how long throughput takes to come back after each,
 * and ends with the audit: exit status 0 only if no confirmed job was lost.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
    description = "Starts, on this machine, an embedded Redis, two worker nodes (2 workers each) and a client node (50 "
        + "clients at 10 jobs/s) from the built jar, each node reaching Redis through a TCP proxy of its own and "
        + "writing --audit files. For --minutes it injects faults one at a time at random times from --seed: kill -9 of "
        + "a worker node, of the client node and of Redis (each started again), SIGSTOP of a worker node longer than the "
        + "visibility timeout, a network cut between a node and Redis and between two nodes (the nodes reach each other "
        + "through proxies too), a slow and a closed standard output of a worker node, Redis at its memory limit. "
        + "After each it measures the time until printed lines per second are back to 90 %% of the 5 s before it. Then "
        + "it stops the client node, lets the workers drain, stops everything and audits the files: a table of faults "
        + "and recovery times, then submitted, printed, lost and duplicates. Exit status 0 if nothing was lost, 1 "
        + "otherwise.",
    footer = {"Fault kinds for --faults: kill-worker, kill-client, kill-redis, stop-worker, cut-redis, cut-nodes, "
        + "slow-output, closed-output, redis-full.", "Example: ./hwaas chaos --minutes 10 --seed 7",
        "         ./hwaas chaos --faults cut-nodes,kill-redis --count 4"})
public final class ChaosCommand implements Callable<Integer> {
  /** Running before the first fault: its baseline, the 5 s before it, is then a steady one. */
  static final Duration WARM_UP = Duration.ofSeconds(6);
  static final Duration DRAIN = Duration.ofSeconds(30);

  @Spec
  CommandSpec spec;

  @Option(names = "--minutes", paramLabel = "M", defaultValue = "5",
      description = "How long faults are injected, after about 20 s of start-up; the drain and the audit follow (default: ${DEFAULT-VALUE}).")
  double minutes;

  @Option(names = "--seed", paramLabel = "S",
      description = "Seed of the faults' kinds, targets, durations and pauses; the same seed plays the same faults (default: a new one, printed).")
  Long seed;

  @Option(names = "--faults", paramLabel = "KIND", split = ",",
      description = "Play only these kinds of fault (default: all of them); the kinds are listed below.")
  List<String> faultKinds;

  @Option(names = "--count", paramLabel = "N",
      description = "End after N faults, or when --minutes are up if that comes first (default: as many as --minutes allow).")
  Integer count;

  @Option(names = "--dir", paramLabel = "DIR",
      description = "Where the nodes' logs, audit files and data go (default: a new temporary directory, printed; kept).")
  Path dir;

  private volatile ChaosReport report;
  private volatile AuditReport audit;

  /** The report of the last run (for tests), or {@code null} before one. */
  ChaosReport report() {
    return report;
  }

  /** The audit of the last run's files (for tests), or {@code null} before one ended. */
  AuditReport audit() {
    return audit;
  }

  /** --faults, checked: the kinds to play, all of them by default. */
  Set<FaultKind> kinds() {
    if (faultKinds == null || faultKinds.isEmpty()) {
      return EnumSet.allOf(FaultKind.class);
    }
    Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
    faultKinds.forEach(name -> kinds.add(FaultKind.parse(name)));
    return kinds;
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (!(minutes > 0) || minutes > 24 * 60) {
      throw new ConfigException("--minutes must be above 0 and at most 1440 (a day), got " + minutes);
    }
    if (count != null && count < 1) {
      throw new ConfigException("--count must be at least 1, got " + count);
    }
    Set<FaultKind> kinds = kinds();
    long chosenSeed = seed != null ? seed : new Random().nextLong();
    Path jar = nodeJar();
    Path workDir = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("hwaas-chaos-");
    PrintWriter out = spec.commandLine().getOut();
    long started = System.nanoTime();
    Consumer<String> progress = line -> {
      out.printf(Locale.ROOT, "%7.1f s  %s%n", (System.nanoTime() - started) / 1e9, line);
      out.flush();
    };
    progress.accept("chaos: seed " + chosenSeed + ", " + minutes + " minute(s) of faults"
        + (count != null ? " (at most " + count + ")" : "") + (kinds.size() < FaultKind.values().length
        ? " of the kinds " + kinds.stream().map(FaultKind::option).toList() : "") + ", files in " + workDir);
    report = new ChaosReport();
    ChaosRig rig = new ChaosRig(workDir, jar, progress);
    // Ctrl-C or a failure: every process started here is stopped, by pid, and Redis with them.
    Thread hook = new Thread(rig::close, "hwaas-chaos-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      rig.start();
      try (RecoveryMeter meter = RecoveryMeter.start(rig::printedLines)) {
        Thread.sleep(WARM_UP.toMillis());
        progress.accept(String.format(Locale.ROOT, "steady: %.0f lines/s", meter.rateBefore(System.nanoTime())));
        play(rig, meter, new Faults(rig, new Random(chosenSeed), kinds), progress);
      }
      ChaosRig.Ending ending = rig.finish(DRAIN);
      AuditReport audit = AuditReport.of(rig.auditFiles());
      this.audit = audit;
      if (!audit.lostIds().isEmpty()) {
        out.println("lost (first " + audit.lostIds().size() + "): " + String.join(" ", audit.lostIds()));
      }
      out.println();
      out.println(report.table(audit, ending));
      out.flush();
      return audit.lost() == 0 ? 0 : 1;
    } finally {
      rig.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already stopping: the hook runs (and finds everything closed)
      }
    }
  }

  /**
   * Faults one at a time until --minutes are up or --count were played: the fault (after the warm-up, or after a
   * steady pause), its heal, the wait for recovery.
   */
  private void play(ChaosRig rig, RecoveryMeter meter, Faults faults, Consumer<String> progress)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Math.round(minutes * 60e9);
    for (int number = 1; count == null || number <= count; number++) {
      Duration pause = number == 1 ? Duration.ZERO : faults.pause();
      Fault fault = faults.plan(number);
      if (System.nanoTime() + pause.plus(fault.hold()).toNanos() > deadline) {
        return;
      }
      Thread.sleep(pause.toMillis());
      if (!rig.restartExited().isEmpty()) {
        Thread.sleep(pause.toMillis()); // a steady baseline again before the fault
      }
      long injectedAt = System.nanoTime();
      double before = meter.rateBefore(injectedAt);
      progress.accept(fault.describe() + String.format(Locale.ROOT, " (before: %.0f lines/s)", before));
      Faults.Healed healed = faults.apply(fault);
      progress.accept("  healed: " + healed.what());
      Optional<Duration> recovery = meter.awaitRecovery(healed.atNanos(), before);
      long recoveredAt = healed.atNanos() + recovery.orElse(RecoveryMeter.CAP).toNanos();
      double lowest = meter.lowest(injectedAt, recoveredAt + RecoveryMeter.WINDOW.toNanos());
      Duration stalled = meter.longestGap(injectedAt, recoveredAt + RecoveryMeter.WINDOW.toNanos());
      progress.accept("  " + recovery.map(r -> "recovered " + Fault.seconds(r) + " after the heal")
          .orElse("not recovered within " + RecoveryMeter.CAP.toSeconds() + " s of the heal")
          + String.format(Locale.ROOT, "; lowest 1 s meanwhile: %.0f lines/s", lowest)
          + (stalled.compareTo(RecoveryMeter.STALL) > 0 ? "; this command's own sampling stalled for up to "
          + Fault.seconds(stalled) + " (a busy machine)" : ""));
      if (!healed.seen()) {
        progress.accept("  its effect was NOT seen: the fault may not have taken");
      }
      report.add(new ChaosReport.Outcome(fault, before, lowest, recovery, healed.seen()));
    }
  }

  /**
   * The jar the nodes run: {@code target/hwaas.jar} under the {@code hwaas.home} system property when it is set (the
   * tests); otherwise this class's own jar when run as {@code ./hwaas chaos}; otherwise {@code target/hwaas.jar} here.
   * Only a runnable jar (one with a Main-Class) will do: Failsafe puts the plain, unshaded jar on the class path.
   */
  static Path nodeJar() {
    List<Path> candidates = new ArrayList<>();
    String home = System.getProperty("hwaas.home");
    if (home != null) {
      candidates.add(Path.of(home, "target", "hwaas.jar"));
    }
    try {
      candidates.add(Path.of(ChaosCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
    } catch (URISyntaxException | RuntimeException e) {
      // not loaded from a file
    }
    candidates.add(Path.of("target", "hwaas.jar"));
    for (Path candidate : candidates) {
      if (runnableJar(candidate)) {
        return candidate.toAbsolutePath();
      }
    }
    throw new IllegalStateException("the chaos command starts nodes from the built jar, and none was found (looked at "
        + candidates + "): run it as ./hwaas chaos (which builds it), or build it with ./mvnw -B -DskipTests package");
  }

  private static boolean runnableJar(Path path) {
    if (!path.toString().endsWith(".jar") || !Files.isRegularFile(path)) {
      return false;
    }
    try (JarFile jar = new JarFile(path.toFile())) {
      return jar.getManifest() != null && jar.getManifest().getMainAttributes().getValue("Main-Class") != null;
    } catch (IOException e) {
      return false;
    }
  }
}
