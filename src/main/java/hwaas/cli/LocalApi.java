package hwaas.cli;

import hwaas.redis.PrivateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a running node's REST API is, for the command-line client on the same machine: the node writes its URL
 * ({@code api.url}) and its admin token ({@code api.token}, 0600, in a 0700 directory) to its data directory when it
 * has started, and removes them when it stops (if no other node has written its own since).
 */
final class LocalApi {
  static final String URL_FILE = "api.url";
  static final String TOKEN_FILE = "api.token";
  private static final Logger log = LoggerFactory.getLogger(LocalApi.class);

  /** A node's API: its base URL (no trailing slash) and a token. */
  record Address(URI url, String token) {
  }

  private LocalApi() {
  }

  /** Writes the node's address; a failure is logged (the node runs on, only the local client cannot find it). */
  static void publish(Path dataDir, String host, int port, String token) {
    String loopback = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    String url = "http://" + (loopback.contains(":") ? "[" + loopback + "]" : loopback) + ":" + port;
    try {
      PrivateFiles.directory(dataDir);
      PrivateFiles.writeSecret(dataDir.resolve(TOKEN_FILE), token + "\n");
      PrivateFiles.writeSecret(dataDir.resolve(URL_FILE), url + "\n");
    } catch (IOException | RuntimeException e) {
      log.warn("could not write the API's address to {}; ./hwaas submit|jobs|cancel will need --api and HWAAS_TOKEN",
          dataDir, e);
    }
  }

  /** Removes the node's address, unless another node has written its own meanwhile. */
  static void withdraw(Path dataDir, int port) {
    Path urlFile = dataDir.resolve(URL_FILE);
    try {
      if (Files.isRegularFile(urlFile, LinkOption.NOFOLLOW_LINKS) && Files.readString(urlFile).trim().endsWith(":" + port)) {
        Files.deleteIfExists(urlFile);
        Files.deleteIfExists(dataDir.resolve(TOKEN_FILE));
      }
    } catch (IOException e) {
      log.warn("could not remove the API's address from {}", dataDir, e);
    }
  }

  /** The address a local node wrote in {@code dataDir}, if one did. */
  static Optional<Address> find(Path dataDir) throws IOException {
    Path urlFile = dataDir.resolve(URL_FILE);
    Path tokenFile = dataDir.resolve(TOKEN_FILE);
    if (!Files.isRegularFile(urlFile, LinkOption.NOFOLLOW_LINKS) || !Files.isRegularFile(tokenFile, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    return Optional.of(new Address(URI.create(Files.readString(urlFile).trim()), Files.readString(tokenFile).trim()));
  }
}
