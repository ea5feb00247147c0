package hwaas.jobs;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.function.BinaryOperator;

/**
 * {@code sum {numbers}} and {@code multiply {numbers}}: exact decimal arithmetic, the answer in {@code value}; in a
 * chain, the {@code value} of the previous step's result (or of each of a fan-out's results) joins the numbers. The
 * payload was checked against the contract ({@link JobContract}) when it was submitted.
 */
public final class ArithmeticHandler implements JobHandler {
  private final BigDecimal identity;
  private final BinaryOperator<BigDecimal> operation;

  private ArithmeticHandler(BigDecimal identity, BinaryOperator<BigDecimal> operation) {
    this.identity = identity;
    this.operation = operation;
  }

  public static ArithmeticHandler sum() {
    return new ArithmeticHandler(BigDecimal.ZERO, BigDecimal::add);
  }

  public static ArithmeticHandler multiply() {
    return new ArithmeticHandler(BigDecimal.ONE, (a, b) -> a.multiply(b, MathContext.DECIMAL128));
  }

  @Override
  public Future<JsonObject> run(Job job) {
    BigDecimal value = identity;
    for (Object n : job.payload().getJsonArray("numbers")) {
      value = operation.apply(value, new BigDecimal(((Number) n).toString()));
    }
    // In a chain, the previous step's result joins the numbers: its value, or each value of a fan-out's results.
    Object previous = job.payload().getValue("previous");
    for (Object result : previous instanceof JsonArray all ? all : previous == null ? new JsonArray() : new JsonArray().add(previous)) {
      if (result instanceof JsonObject r && r.getValue("value") instanceof Number n) {
        value = operation.apply(value, new BigDecimal(n.toString()));
      }
    }
    BigDecimal plain = value.stripTrailingZeros();
    Number result = plain.scale() <= 0 && plain.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0
        ? (Number) plain.longValueExact()
        : (Number) plain.doubleValue();
    return Future.succeededFuture(new JsonObject().put("value", result));
  }
}
