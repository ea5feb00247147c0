package hwaas.jobs;

import hwaas.support.Printer;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The job types a node runs, by name. Adding a type is one {@link JobHandler}, one entry in
 * {@link #standard}, and its payload schema in {@code openapi.yaml} (the {@link JobContract}); a node refuses to
 * start when the two lists differ.
 */
public record JobHandlers(Map<String, JobType> byType) {

  public static JobHandlers standard(Printer printer, JobLimits limits) {
    Duration timeout = limits.jobTimeout();
    Duration visibility = limits.visibilityTimeout();
    // A sleep may last up to --max-sleep: its limits grow with it, so a sleeping job is never taken for lost.
    Duration sleepTimeout = limits.maxSleep().plus(timeout);
    Duration sleepVisibility = sleepTimeout.plus(visibility);
    Map<String, JobType> types = new LinkedHashMap<>();
    types.put(Job.PRINT, new JobType(Job.PRINT, new PrintHandler(printer), timeout, visibility, false));
    types.put("sleep", new JobType("sleep", new SleepHandler(printer), sleepTimeout, sleepVisibility, false));
    types.put("sum", new JobType("sum", ArithmeticHandler.sum(), timeout, visibility, true));
    types.put("multiply", new JobType("multiply", ArithmeticHandler.multiply(), timeout, visibility, true));
    return new JobHandlers(types);
  }

  /** The standard types, with {@code print} replaced (tests record what was printed). */
  public JobHandlers withPrint(JobHandler print) {
    return with(Job.PRINT, print);
  }

  /** These types with the handler of one of them replaced (tests make a type fail on purpose). */
  public JobHandlers with(String type, JobHandler handler) {
    Map<String, JobType> types = new LinkedHashMap<>(byType);
    JobType old = types.get(type);
    types.put(type, new JobType(type, handler, old.timeout(), old.visibility(), old.cacheable()));
    return new JobHandlers(types);
  }

  public Set<String> names() {
    return byType.keySet();
  }

  public Optional<JobType> forType(String type) {
    return Optional.ofNullable(byType.get(type));
  }
}
