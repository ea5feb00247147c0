package hwaas.worker;

import hwaas.queue.Job;

import java.util.Map;
import java.util.Optional;

/** The job types a node can run, by name. Adding a type is one {@link JobHandler} and one entry here. */
public record JobHandlers(Map<String, JobHandler> byType) {

  public static JobHandlers standard(Printer printer) {
    return new JobHandlers(Map.of(Job.PRINT, new PrintHandler(printer)));
  }

  public Optional<JobHandler> forType(String type) {
    return Optional.ofNullable(byType.get(type));
  }
}
