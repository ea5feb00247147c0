package hwaas.cli;

import hwaas.support.ConfigException;
import hwaas.support.AuditReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ./hwaas audit FILE...}: compares confirmed submissions with printed jobs, from the --audit files. */
@Command(name = "audit", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
    description = "Reads audit files written with --audit (printed job ids in FILE, confirmed submissions in FILE.submitted) "
        + "from one or more nodes, and reports submitted, printed, duplicates (printed more than once, allowed only "
        + "after a crash) and lost (confirmed but never printed). Exit status 0 when nothing was lost, 1 otherwise.",
    footer = "Example: ./hwaas audit node1.audit node2.audit")
public final class AuditCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Audit files given to --audit on each node.")
  List<Path> files;



  @Override
  public Integer call() {
    return run(System.out, System.err);
  }

  int run(PrintStream out, PrintStream err) {
    for (Path file : files) {
      if (!Files.isRegularFile(file)) {
        throw new ConfigException("audit file " + file + " does not exist");
      }
    }
    AuditReport report = audit(files);
    out.println(report.line());
    if (!report.lostIds().isEmpty()) {
      err.println("lost (first " + report.lostIds().size() + "): " + String.join(" ", report.lostIds()));
    }
    return report.lost() == 0 ? 0 : 1;
  }

  public static AuditReport audit(List<Path> printedFiles) {
    return AuditReport.of(printedFiles);
  }

}
