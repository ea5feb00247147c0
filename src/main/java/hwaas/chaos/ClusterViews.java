package hwaas.chaos;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The cluster as each node sees it, from its {@code GET /api/cluster} (the ids of the members Hazelcast lists and
 * Vert.x knows): what a cut between two nodes changes, and what must come back whole once it heals.
 */
final class ClusterViews {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final long POLL_MILLIS = 1_000;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final String token;

  ClusterViews(String token) {
    this.token = token;
  }

  /** The node ids {@code node} lists now; empty if it does not answer (starting, stopped, busy). */
  Optional<Set<String>> of(NodeRunner node) {
    try {
      String base = node.http();
      if (base == null) {
        return Optional.empty();
      }
      HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/cluster")).timeout(TIMEOUT)
          .header("Authorization", "Bearer " + token).GET().build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return Optional.empty();
      }
      Set<String> ids = new HashSet<>();
      new JsonObject(response.body()).getJsonArray("nodes").forEach(n -> ids.add(((JsonObject) n).getString("id")));
      return Optional.of(ids);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Whether {@code a} and {@code b} answer and one of them no longer lists the other. */
  boolean split(NodeRunner a, NodeRunner b) throws IOException {
    String idA = a.nodeId();
    String idB = b.nodeId();
    Optional<Set<String>> viewA = of(a);
    Optional<Set<String>> viewB = of(b);
    return viewA.isPresent() && viewB.isPresent() && (!viewA.get().contains(idB) || !viewB.get().contains(idA));
  }

  /**
   * Polls until {@link #split} or {@code within} has passed; the time it took, or empty. Returns at once when split,
   * so the caller holds the cut for the rest of its time.
   */
  Optional<Duration> awaitSplit(NodeRunner a, NodeRunner b, Duration within) throws IOException, InterruptedException {
    long start = System.nanoTime();
    while (System.nanoTime() - start < within.toNanos()) {
      if (split(a, b)) {
        return Optional.of(Duration.ofNanos(System.nanoTime() - start));
      }
      Thread.sleep(POLL_MILLIS);
    }
    return Optional.empty();
  }

  /** Whether every node answers and lists exactly the ids of all of them. */
  boolean whole(List<NodeRunner> nodes) throws IOException {
    Set<String> all = new HashSet<>();
    for (NodeRunner node : nodes) {
      String id = node.nodeId();
      if (id == null) {
        return false;
      }
      all.add(id);
    }
    for (NodeRunner node : nodes) {
      if (!of(node).map(all::equals).orElse(false)) {
        return false;
      }
    }
    return true;
  }

  /** What each node lists now, by node name: {@code worker1 lists worker1, client; worker2 does not answer}. */
  String describe(List<NodeRunner> nodes) throws IOException {
    Map<String, String> names = new HashMap<>();
    for (NodeRunner node : nodes) {
      String id = node.nodeId();
      if (id != null) {
        names.put(id, node.name());
      }
    }
    List<String> views = new ArrayList<>();
    for (NodeRunner node : nodes) {
      views.add(of(node).map(ids -> node.name() + " lists " + ids.stream().map(id -> names.getOrDefault(id, id))
          .sorted().collect(Collectors.joining(", "))).orElse(node.name() + " does not answer"));
    }
    return String.join("; ", views);
  }

  /** Polls until {@link #whole}; the time it took, or empty if not within {@code within}. */
  Optional<Duration> awaitWhole(List<NodeRunner> nodes, Duration within) throws IOException, InterruptedException {
    long start = System.nanoTime();
    while (System.nanoTime() - start < within.toNanos()) {
      if (whole(nodes)) {
        return Optional.of(Duration.ofNanos(System.nanoTime() - start));
      }
      Thread.sleep(POLL_MILLIS);
    }
    return Optional.empty();
  }
}
