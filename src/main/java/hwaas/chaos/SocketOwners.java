package hwaas.chaos;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Which process made a TCP connection on this machine: a proxy that every node reaches the same way must tell who is
 * on the other end to cut one pair of nodes and leave the third alone. On Linux it reads {@code /proc} (the socket's
 * inode in {@code /proc/net/tcp[6]}, then which of the candidates holds it among its file descriptors); elsewhere it
 * asks {@code lsof}. Only the candidates' pids are looked at, all processes of this user.
 */
final class SocketOwners {
  private static final Path PROC_NET = Path.of("/proc/net");

  private SocketOwners() {
  }

  /**
   * The pid among {@code candidates} whose socket is the client end of the loopback connection from
   * {@code clientPort} to {@code serverPort}; empty if none (gone meanwhile, or not one of them).
   */
  static Optional<Long> owner(int clientPort, int serverPort, Collection<Long> candidates) {
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    return Files.isReadable(PROC_NET.resolve("tcp")) ? fromProc(clientPort, serverPort, candidates)
        : fromLsof(clientPort, candidates);
  }

  static Optional<Long> fromProc(int clientPort, int serverPort, Collection<Long> candidates) {
    Optional<String> inode = inode(clientPort, serverPort);
    if (inode.isEmpty()) {
      return Optional.empty();
    }
    String link = "socket:[" + inode.get() + "]";
    for (long pid : candidates) {
      try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
        for (Path fd : fds) {
          try {
            if (Files.readSymbolicLink(fd).toString().equals(link)) {
              return Optional.of(pid);
            }
          } catch (IOException e) {
            // closed meanwhile
          }
        }
      } catch (IOException e) {
        // exited meanwhile
      }
    }
    return Optional.empty();
  }

  /** The inode of the socket whose local port is {@code clientPort} and remote port {@code serverPort}. */
  private static Optional<String> inode(int clientPort, int serverPort) {
    String local = String.format(Locale.ROOT, ":%04X", clientPort);
    String remote = String.format(Locale.ROOT, ":%04X", serverPort);
    for (String file : List.of("tcp", "tcp6")) {
      List<String> lines;
      try {
        lines = Files.readAllLines(PROC_NET.resolve(file));
      } catch (IOException e) {
        continue; // no IPv6
      }
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
        String[] fields = line.trim().split("\\s+");
        if (fields.length > 9 && fields[1].endsWith(local) && fields[2].endsWith(remote) && !fields[9].equals("0")) {
          return Optional.of(fields[9]);
        }
      }
    }
    return Optional.empty();
  }

  static Optional<Long> fromLsof(int clientPort, Collection<Long> candidates) {
    List<String> command = List.of("lsof", "-nP", "-a", "-p",
        candidates.stream().map(String::valueOf).collect(Collectors.joining(",")), "-iTCP@127.0.0.1:" + clientPort, "-Fp");
    try {
      Process lsof = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String output = new String(lsof.getInputStream().readAllBytes());
      if (!lsof.waitFor(5, TimeUnit.SECONDS)) {
        lsof.destroyForcibly();
        return Optional.empty();
      }
      return output.lines().filter(l -> l.startsWith("p")).map(l -> Long.parseLong(l.substring(1)))
          .filter(candidates::contains).findFirst();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty(); // no lsof: the connection counts as nobody's
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
