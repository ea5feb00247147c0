package hwaas.support;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** Whether an address a node binds to is loopback only: what decides how open a listener is. */
public final class Loopback {
  private Loopback() {
  }

  /** 127.0.0.0/8, ::1, or a name that resolves to loopback addresses only; false for a name that does not resolve. */
  public static boolean is(String host) {
    try {
      InetAddress[] addresses = InetAddress.getAllByName(host);
      return addresses.length > 0 && Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress);
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
