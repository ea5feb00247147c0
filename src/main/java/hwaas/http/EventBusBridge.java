package hwaas.http;

import hwaas.stats.StatsAddresses;
import io.vertx.core.Vertx;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.regex.Pattern;

/**
 * The SockJS event-bus bridge of the dashboard: out to the browser only the stats and the status of jobs
 * submitted over the API; in from the browser nothing (writes go through the REST API and its token).
 * Anything else a browser tries is refused and logged.
 */
final class EventBusBridge {
  private static final Logger log = LoggerFactory.getLogger(EventBusBridge.class);
  private static final String JOB_ADDRESS = Pattern.quote(StatsAddresses.JOB_PREFIX) + "api-[0-9a-f]{20}";
  private static final Pattern ALLOWED = Pattern.compile(Pattern.quote(StatsAddresses.STATS) + "|" + JOB_ADDRESS);

  private EventBusBridge() {
  }

  static Router create(Vertx vertx) {
    SockJSBridgeOptions permissions = new SockJSBridgeOptions()
        .addOutboundPermitted(new PermittedOptions().setAddress(StatsAddresses.STATS))
        .addOutboundPermitted(new PermittedOptions().setAddressRegex(JOB_ADDRESS))
        .setMaxAddressLength(128)
        .setMaxHandlersPerSocket(64);
    SockJSHandlerOptions options = new SockJSHandlerOptions()
        // Without this, SockJS's iframe page would load the client library from a CDN.
        .setLibraryURL("/webjars/sockjs-client/1.6.1/dist/sockjs.min.js");
    return SockJSHandler.create(vertx, options).bridge(permissions, event -> {
      String address = event.getRawMessage() == null ? null : event.getRawMessage().getString("address");
      boolean inbound = event.type() == BridgeEventType.SEND || event.type() == BridgeEventType.PUBLISH;
      boolean refusedRegister = event.type() == BridgeEventType.REGISTER && (address == null || !ALLOWED.matcher(address).matches());
      if (inbound || refusedRegister) {
        log.warn("refused a browser ({}) trying to {} '{}': the bridge only sends stats and job status out",
            event.socket().remoteAddress(), event.type().name().toLowerCase(), address);
        event.complete(false);
      } else {
        event.complete(true);
      }
    });
  }
}
