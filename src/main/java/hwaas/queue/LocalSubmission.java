package hwaas.queue;

import hwaas.jobs.JobBatch;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

import java.util.List;

/**
 * Jobs this node's API checked already, for {@link QueueAddresses#SUBMIT_LOCAL}: batches of one job each (a REST
 * request may mix types and payloads) and the client of each, whose records the queue writes with them. Immutable,
 * so the event bus hands it over as it is, without encoding.
 *
 * @param resendable the API may send it again (an Idempotency-Key request): the queue remembers its keys, so a resend
 *                   adds nothing; jobs with fresh random ids are never resent, and keep no key
 * @param dueAt      per batch, when a delayed one is due (epoch millis), 0 for now
 * @param priorities per batch, the stream of which priority it goes to
 */
public record LocalSubmission(List<JobBatch> batches, List<String> clients, List<Long> dueAt, List<Priority> priorities,
                              boolean resendable) {
  private static final String CODEC = "hwaas-local-submission";

  public LocalSubmission {
    batches = List.copyOf(batches);
    clients = List.copyOf(clients);
    dueAt = List.copyOf(dueAt);
    priorities = List.copyOf(priorities);
    if (batches.isEmpty() || batches.size() != clients.size() || batches.size() != dueAt.size()
        || batches.size() != priorities.size()) {
      throw new IllegalArgumentException("a local submission needs one client, due time and priority per batch, and at least one batch");
    }
  }

  public int jobs() {
    return batches.stream().mapToInt(JobBatch::size).sum();
  }

  /** Once per Vert.x instance; the queue and the API of one node share it. */
  static synchronized void registerCodec(Vertx vertx) {
    try {
      vertx.eventBus().registerDefaultCodec(LocalSubmission.class, new Codec());
    } catch (IllegalStateException alreadyRegistered) {
      // another queue verticle of this Vert.x instance did it
    }
  }

  /** Local delivery only: the consumer is a local one, so nothing is ever put on the wire. */
  private static final class Codec implements MessageCodec<LocalSubmission, LocalSubmission> {
    @Override
    public void encodeToWire(Buffer buffer, LocalSubmission submission) {
      throw new UnsupportedOperationException("a local submission never leaves its node");
    }

    @Override
    public LocalSubmission decodeFromWire(int pos, Buffer buffer) {
      throw new UnsupportedOperationException("a local submission never leaves its node");
    }

    @Override
    public LocalSubmission transform(LocalSubmission submission) {
      return submission;
    }

    @Override
    public String name() {
      return CODEC;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
