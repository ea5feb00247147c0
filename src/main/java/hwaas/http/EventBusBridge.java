package hwaas.http;

import hwaas.stats.StatsAddresses;
import io.vertx.core.Vertx;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The SockJS event-bus bridge of the dashboard: out to the browser only the stats, the status of jobs submitted over
 * the API and the job browser's feed ({@link ConsoleFeed}, told who listens), and only to a page of this node's own
 * origin that registers with one of the service's tokens (in the register message's headers); in from the browser
 * nothing (writes go through the REST API and its token). Anything else a browser tries is refused and logged.
 */
final class EventBusBridge {
  private static final Logger log = LoggerFactory.getLogger(EventBusBridge.class);
  /** A job's address: an API job, or a step of a chain (its first job's id, then the step, then its place in a fan-out). */
  private static final String JOB_ADDRESS = Pattern.quote(StatsAddresses.JOB_PREFIX) + "api-(p[0-9]{2}-)?[0-9a-f]{20}(\\.[0-9]{1,4}){0,2}";
  private static final Pattern ALLOWED = Pattern.compile(Pattern.quote(StatsAddresses.STATS) + "|" + JOB_ADDRESS
      + "|" + Pattern.quote(ConsoleFeed.ADDRESS));

  private EventBusBridge() {
  }

  /**
   * A browser says where the page that opens the bridge came from: only this node's own pages may. Clients that are
   * not browsers send no Origin, and still need a token to register.
   */
  static void sameOrigin(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    String self = "http://" + ctx.request().authority();
    if (origin == null || origin.equalsIgnoreCase(self)) {
      ctx.next();
    } else {
      log.warn("refused a bridge connection from a page of another origin ({}, this node is {})", origin, self);
      ApiErrors.respond(ctx, 403, "the event-bus bridge serves this node's own pages only, not " + origin);
    }
  }

  /**
   * @param feed    told which sockets listen to the job browser's feed, so it works only while one does
   * @param watched told which jobs the sockets listen to, so that their changes are relayed to the bridge
   */
  static Router create(Vertx vertx, HttpSettings settings, ConsoleFeed feed, WatchedJobs watched) {
    JobListeners jobs = new JobListeners(watched);
    Set<String> tokens = settings.readToken() == null ? Set.of(settings.token()) : Set.of(settings.token(), settings.readToken());
    SockJSBridgeOptions permissions = new SockJSBridgeOptions()
        .addOutboundPermitted(new PermittedOptions().setAddress(StatsAddresses.STATS))
        .addOutboundPermitted(new PermittedOptions().setAddressRegex(JOB_ADDRESS))
        .addOutboundPermitted(new PermittedOptions().setAddress(ConsoleFeed.ADDRESS))
        .setMaxAddressLength(128)
        .setMaxHandlersPerSocket(64);
    SockJSHandlerOptions options = new SockJSHandlerOptions()
        // Without this, SockJS's iframe page would load the client library from a CDN.
        .setLibraryURL("/webjars/sockjs-client/1.6.1/dist/sockjs.min.js");
    return SockJSHandler.create(vertx, options).bridge(permissions, event -> {
      String address = event.getRawMessage() == null ? null : event.getRawMessage().getString("address");
      boolean inbound = event.type() == BridgeEventType.SEND || event.type() == BridgeEventType.PUBLISH;
      boolean register = event.type() == BridgeEventType.REGISTER;
      boolean refusedRegister = register && (address == null || !ALLOWED.matcher(address).matches());
      String token = register ? token(event.getRawMessage()) : null;
      if (register && !refusedRegister && (token == null || !tokens.contains(token))) {
        log.warn("refused a browser ({}) registering for '{}' without one of the service's tokens", event.socket().remoteAddress(), address);
        event.complete(false);
      } else if (inbound || refusedRegister) {
        log.warn("refused a browser ({}) trying to {} '{}': the bridge only sends stats and job status out",
            event.socket().remoteAddress(), event.type().name().toLowerCase(), address);
        event.complete(false);
      } else {
        if (ConsoleFeed.ADDRESS.equals(address) && register) {
          feed.watching(event.socket());
        } else if (ConsoleFeed.ADDRESS.equals(address) && event.type() == BridgeEventType.UNREGISTER
            || event.type() == BridgeEventType.SOCKET_CLOSED) {
          feed.left(event.socket());
        }
        if (address != null && address.startsWith(StatsAddresses.JOB_PREFIX)) {
          String jobId = address.substring(StatsAddresses.JOB_PREFIX.length());
          if (register) {
            jobs.registered(event.socket(), jobId);
          } else if (event.type() == BridgeEventType.UNREGISTER) {
            jobs.unregistered(event.socket(), jobId);
          }
        }
        if (event.type() == BridgeEventType.SOCKET_CLOSED) {
          jobs.closed(event.socket());
        }
        event.complete(true);
      }
    });
  }

  /** The job addresses each socket registered: counted in {@link WatchedJobs} until it unregisters them or closes. */
  private static final class JobListeners {
    private final WatchedJobs watched;
    private final Map<SockJSSocket, List<String>> bySocket = new HashMap<>();

    JobListeners(WatchedJobs watched) {
      this.watched = watched;
    }

    void registered(SockJSSocket socket, String jobId) {
      bySocket.computeIfAbsent(socket, s -> new ArrayList<>()).add(jobId);
      watched.add(jobId);
    }

    void unregistered(SockJSSocket socket, String jobId) {
      List<String> ids = bySocket.get(socket);
      if (ids != null && ids.remove(jobId)) {
        watched.remove(jobId);
        if (ids.isEmpty()) {
          bySocket.remove(socket);
        }
      }
    }

    void closed(SockJSSocket socket) {
      List<String> ids = bySocket.remove(socket);
      if (ids != null) {
        ids.forEach(watched::remove);
      }
    }
  }

  /** The token a browser sent with its register message ({@code headers.token}); {@code null} if none. */
  private static String token(JsonObject message) {
    JsonObject headers = message == null ? null : message.getJsonObject("headers");
    return headers == null || !(headers.getValue("token") instanceof String token) ? null : token;
  }
}
