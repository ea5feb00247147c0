package hwaas.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Inline commands to a Redis on loopback over a socket of its own, and the first line of its reply. */
public final class RawRedis {
  private RawRedis() {
  }

  public static String say(int port, String command) throws IOException {
    return say(port, List.of(command)).get(0);
  }

  /** Several commands on one connection (AUTH first, say): the first line of each reply, in order. */
  public static List<String> say(int port, List<String> commands) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(2_000);
      OutputStream out = socket.getOutputStream();
      for (String command : commands) {
        out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
      }
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      List<String> replies = new ArrayList<>();
      for (int i = 0; i < commands.size(); i++) {
        replies.add(in.readLine());
      }
      return replies;
    }
  }
}
