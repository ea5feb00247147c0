package hwaas.redis;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A few commands to a Redis on loopback from a plain thread (no Vert.x), each on a fresh socket with AUTH first: the
 * embedded Redis's readiness check, and the chaos command's INFO, CONFIG and XLEN, sent straight to Redis's port,
 * never through a node's proxy. A fresh connection needs no care after Redis was killed and started again.
 */
public final class RedisAdmin {
  private final int port;
  private final String password;
  private final int connectMillis;
  private final int readMillis;

  public RedisAdmin(int port, String password) {
    this(port, password, 1_000, 5_000);
  }

  public RedisAdmin(int port, String password, int connectMillis, int readMillis) {
    this.port = port;
    this.password = password;
    this.connectMillis = connectMillis;
    this.readMillis = readMillis;
  }

  /** Whether Redis accepts the password and answers PING; false on any failure. */
  public boolean answers() {
    try {
      return "PONG".equals(command("PING"));
    } catch (IOException e) {
      return false;
    }
  }

  /** Bytes Redis uses now ({@code used_memory} of {@code INFO memory}). */
  public long usedMemory() throws IOException {
    String info = (String) command("INFO", "memory");
    return info.lines().filter(l -> l.startsWith("used_memory:")).findFirst()
        .map(l -> Long.parseLong(l.substring("used_memory:".length()).trim()))
        .orElseThrow(() -> new IOException("INFO memory has no used_memory"));
  }

  public String configGet(String parameter) throws IOException {
    List<?> reply = (List<?>) command("CONFIG", "GET", parameter);
    if (reply.size() < 2) {
      throw new IOException("CONFIG GET " + parameter + " answered " + reply);
    }
    return (String) reply.get(1);
  }

  public void configSet(String parameter, String value) throws IOException {
    command("CONFIG", "SET", parameter, value);
  }

  /** Entries in a stream (0 if there is none). */
  public long xlen(String key) throws IOException {
    return (Long) command("XLEN", key);
  }

  /** AUTH, then one command; its reply as String, Long, List or null. An error reply is an IOException. */
  public Object command(String... args) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), connectMillis);
      socket.setSoTimeout(readMillis);
      OutputStream out = socket.getOutputStream();
      out.write(encode("AUTH", password));
      out.write(encode(args));
      out.flush();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      read(in);
      return read(in);
    }
  }

  private static byte[] encode(String... args) {
    StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
    for (String arg : args) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
    }
    return request.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    String line = line(in);
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new IOException("Redis answered: " + line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int length = Integer.parseInt(line);
        if (length < 0) {
          return null;
        }
        byte[] bytes = in.readNBytes(length + 2);
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
      }
      case '*': {
        int count = Integer.parseInt(line);
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          items.add(read(in));
        }
        return items;
      }
      case -1:
        throw new EOFException("Redis closed the connection");
      default:
        throw new IOException("unexpected reply type '" + (char) type + "'");
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("Redis closed the connection");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.UTF_8);
  }
}
