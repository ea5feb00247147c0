package hwaas.redis;

import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.RedisOptions;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

import static hwaas.support.Check.require;

/**
 * Where the service's Redis is, or where the embedded one keeps its data.
 *
 * @param url     an existing Redis to use; {@code null} until known (the embedded one, or the cluster's on --join)
 * @param dataDir where the embedded Redis keeps its append-only file
 * @param fsync   {@code everysec} or {@code always}: when the embedded Redis syncs its append-only file
 */
public record RedisSettings(URI url, Path dataDir, String fsync) {

  public RedisSettings {
    if (url != null) {
      String scheme = url.getScheme();
      require(("redis".equals(scheme) || "rediss".equals(scheme)) && url.getHost() != null,
          "--redis must look like redis://host:port, got '" + url + "'");
    }
    require(dataDir != null, "--data-dir must not be empty");
    require("everysec".equals(fsync) || "always".equals(fsync), "--fsync must be everysec or always, got '" + fsync + "'");
  }

  public static RedisSettings defaults() {
    return new RedisSettings(null, defaultDataDir(), "everysec");
  }

  /** {@code ~/.hwaas/data}: the same for every run, so a restarted node finds the work it left. */
  public static Path defaultDataDir() {
    return Path.of(System.getProperty("user.home"), ".hwaas", "data");
  }

  public Optional<URI> external() {
    return Optional.ofNullable(url);
  }

  public RedisSettings withUrl(URI url) {
    return new RedisSettings(url, dataDir, fsync);
  }

  /** Fresh options each call: Vert.x option objects are mutable. */
  public RedisOptions options() {
    if (url == null) {
      throw new IllegalStateException("Redis address is not known yet");
    }
    return new RedisOptions()
        .setConnectionString(url.toString())
        // RESP2 gives the same reply shapes on every Redis version (RESP3 turns XREADGROUP into a map).
        .setPreferredProtocolVersion(ProtocolVersion.RESP2)
        .setMaxPoolSize(8)
        .setMaxPoolWaiting(4096)
        .setMaxWaitingHandlers(16_384);
  }
}
