package hwaas.redis;

/** Redis could not be started or reached: a runtime failure (exit status 1) whose message says what to do. */
public final class RedisStartException extends RuntimeException {
  public RedisStartException(String message) {
    super(message);
  }

  public RedisStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
