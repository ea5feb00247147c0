package hwaas.support;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code host:port} pairs of a URL's authority, which may name several ({@code redis-sentinel://h1:26379,h2:26379/x}):
 * {@link URI} parses such an authority but gives no host or port for it.
 */
public final class HostPorts {
  private HostPorts() {
  }

  public record HostPort(String host, int port) {
    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /**
   * The user and password part, or {@code null}: {@link URI#getRawUserInfo()} gives none for an authority naming several
   * hosts, which would let a password through unseen.
   */
  public static String userInfo(URI url) {
    String authority = url.getRawAuthority();
    int at = authority == null ? -1 : authority.lastIndexOf('@');
    return at < 0 ? null : authority.substring(0, at);
  }

  /** The password of a URL's user info ({@code :password@} or {@code user:password@}), or {@code null} for none. */
  public static String password(URI url) {
    String userInfo = userInfo(url);
    String password = userInfo == null ? null : userInfo.substring(userInfo.indexOf(':') + 1);
    return password == null || password.isEmpty() ? null : password;
  }

  /** Every pair, in order; a pair without a port gets {@code defaultPort}; empty if the authority is malformed. */
  public static List<HostPort> of(URI url, int defaultPort) {
    String authority = url.getRawAuthority();
    if (authority == null) {
      return List.of();
    }
    authority = authority.substring(authority.lastIndexOf('@') + 1);
    List<HostPort> pairs = new ArrayList<>();
    for (String part : authority.split(",", -1)) {
      int close = part.lastIndexOf(']');
      int colon = part.lastIndexOf(':');
      String host = colon > close ? part.substring(0, colon) : part;
      String port = colon > close ? part.substring(colon + 1) : "";
      host = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
      if (host.isEmpty() || !port.matches("[0-9]{0,5}") || (!port.isEmpty() && Integer.parseInt(port) > 65535)) {
        return List.of();
      }
      pairs.add(new HostPort(host, port.isEmpty() ? defaultPort : Integer.parseInt(port)));
    }
    return List.copyOf(pairs);
  }
}
