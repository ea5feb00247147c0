package hwaas.support;

/** Bad input in flags, environment or files: reported in one line, exit status 2, nothing started. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
