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
  @DisplayName("an envelope found valid is remembered without its payload, yet every other request is checked whole")
  void rememberedEnvelopeIsNoLoophole() {
    JsonObject good = new JsonObject().put("type", "sum").put("client", "memo").put("delay", 5)
        .put("payload", new JsonObject().put("numbers", new JsonArray().add(1)));
    assertDoesNotThrow(() -> contract.checkRequest(good));
    assertDoesNotThrow(() -> contract.checkRequest(good.copy().put("payload", new JsonObject().put("numbers", new JsonArray().add(2)))));
    // The same envelope with a payload that is not an object, or not one of its type: refused.
    assertThrows(IllegalArgumentException.class, () -> contract.checkRequest(good.copy().put("payload", "1,2")));
    assertThrows(IllegalArgumentException.class, () -> contract.checkRequest(good.copy().put("payload", new JsonObject().put("message", "hi"))));
    // Another value of any field is another envelope: checked in full.
    assertThrows(IllegalArgumentException.class, () -> contract.checkRequest(good.copy().put("delay", -1)));
    assertThrows(IllegalArgumentException.class, () -> contract.checkRequest(good.copy().put("delay", "5")));
    assertThrows(IllegalArgumentException.class, () -> contract.checkRequest(good.copy().put("client", "me mo")));
    assertThrows(IllegalArgumentException.class, () -> contract.checkRequest(good.copy().put("extra", true)));
    // More valid envelopes than are kept: the memory starts again, and answers stay right.
    for (int i = 0; i < JobContract.ENVELOPES_KEPT + 10; i++) {
      int n = i;
      assertDoesNotThrow(() -> contract.checkRequest(good.copy().put("client", "memo-" + n)));
    }
    assertThrows(IllegalArgumentException.class, () -> contract.checkRequest(good.copy().put("client", "memo " + 1)));
    assertDoesNotThrow(() -> contract.checkRequest(good));
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
