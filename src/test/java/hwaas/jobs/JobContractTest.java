package hwaas.jobs;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobContractTest {
  private final JobContract contract = JobContract.standard();

  @Test
  @DisplayName("the last valid payload of a type is remembered, yet a different or later-changed payload is checked again")
  void rememberedPayloadIsNoLoophole() {
    JsonObject payload = new JsonObject().put("message", "hello, world!");
    assertDoesNotThrow(() -> contract.checkPayload(Job.PRINT, payload));
    assertDoesNotThrow(() -> contract.checkPayload(Job.PRINT, payload.copy()));

    payload.put("message", "bell\u0007");
    IllegalArgumentException changed = assertThrows(IllegalArgumentException.class, () -> contract.checkPayload(Job.PRINT, payload));
    assertTrue(changed.getMessage().contains("U+0007"), changed.getMessage());

    JsonObject sum = new JsonObject().put("numbers", new JsonArray().add(1).add(2));
    assertDoesNotThrow(() -> contract.checkPayload("sum", sum));
    assertThrows(IllegalArgumentException.class, () -> contract.checkPayload("sum", new JsonObject().put("numbers", "1,2")));
    assertThrows(IllegalArgumentException.class, () -> contract.checkPayload("print", sum), "a payload valid for sum is not one for print");
  }

  @Test
  @DisplayName("a job request is checked whole: envelope, client pattern, extra fields, then the payload of its type")
  void requestsAreCheckedWhole() {
    JsonObject good = new JsonObject().put("type", "print").put("client", "alice").put("payload", new JsonObject().put("message", "hi"));
    assertDoesNotThrow(() -> contract.checkRequest(good));
    IllegalArgumentException client = assertThrows(IllegalArgumentException.class,
        () -> contract.checkRequest(good.copy().put("client", "al ice")));
    assertTrue(client.getMessage().startsWith("/client: "), client.getMessage());
    IllegalArgumentException extra = assertThrows(IllegalArgumentException.class,
        () -> contract.checkRequest(good.copy().put("priority", 1)));
    assertTrue(extra.getMessage().contains("priority") || extra.getMessage().contains("additional"), extra.getMessage());
    assertThrows(IllegalArgumentException.class, () -> contract.checkRequest(good.copy().put("type", "juggle")));
    assertThrows(IllegalArgumentException.class, () -> contract.checkRequest(good.copy().put("payload", "hi")));
    IllegalArgumentException control = assertThrows(IllegalArgumentException.class,
        () -> contract.checkRequest(good.copy().put("payload", new JsonObject().put("message", "a\u001bb"))));
    assertTrue(control.getMessage().contains("U+001B"), control.getMessage());
  }
}
