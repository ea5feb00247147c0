package hwaas.jobs;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The contract of the jobs, {@code openapi.yaml} in the jar, with this node's --max-sleep written in. It is the one
 * place a payload is checked: the REST router validates requests against this document, and the queue checks the
 * payload of every submission that reaches it over the event bus against the same schemas, so handlers can trust
 * what they run. The payload schema of a type is the one {@code JobRequest} names for it ({@code if type ... then
 * payload $ref}).
 */
public final class JobContract {
  private static final String MAX_SLEEP_LINE = "maximum: 60 # max-sleep: the node writes its --max-sleep here";

  private final String yaml;
  private final JsonObject document;
  private final Map<String, CompiledSchema> payloads;
  /** JobRequest without its per-type payload rules, which {@link #payloads} check once the type is known. */
  private final CompiledSchema envelope;
  /**
   * The last payload each type found valid (a copy): clients send the same payload tick after tick, and an equality
   * check of a small object costs a fraction of a schema validation on the queue's event loop.
   */
  private final Map<String, JsonObject> lastValid = new ConcurrentHashMap<>();
  /**
   * Envelopes found valid, without their payloads: a client sends the same type, client and options job after job, and
   * vertx-json-schema's check of an envelope was 57 % of the node's samples under batches of 1000 (15 % under single
   * submissions). Only envelopes of plain values (no chain) are kept, at most {@value #ENVELOPES_KEPT}, forgotten
   * together when full. Sound because the envelope's only rule on the payload is that it is an object.
   */
  private final Set<Map<String, Object>> validEnvelopes = ConcurrentHashMap.newKeySet();
  static final int ENVELOPES_KEPT = 1024;
  /** Types declared at run time ({@code PUT /api/types/{name}}), worked by external workers: name to payload schema. */
  private final Map<String, CompiledSchema> declared = new ConcurrentHashMap<>();

  private JobContract(String yaml, JsonObject document, Map<String, CompiledSchema> payloads, CompiledSchema envelope) {
    this.envelope = envelope;
    this.yaml = yaml;
    this.document = document;
    this.payloads = payloads;
  }

  /** The contract with the default --max-sleep, read once: for checks made before a node's own is loaded. */
  public static JobContract standard() {
    return Standard.CONTRACT;
  }

  private static final class Standard {
    static final JobContract CONTRACT = read(JobLimits.defaults().maxSleep());
  }

  /** The contract with this --max-sleep; read and compiled once per node, at start. */
  public static JobContract load(Duration maxSleep) {
    return maxSleep.equals(JobLimits.defaults().maxSleep()) ? standard() : read(maxSleep);
  }

  private static JobContract read(Duration maxSleep) {
    String yaml;
    try (InputStream in = JobContract.class.getResourceAsStream("/openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml is missing from the jar; rebuild with ./mvnw package");
      }
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read openapi.yaml", e);
    }
    if (!yaml.contains(MAX_SLEEP_LINE)) {
      throw new IllegalStateException("openapi.yaml lost its max-sleep line: " + MAX_SLEEP_LINE);
    }
    String limited = yaml.replace(MAX_SLEEP_LINE,
        String.format(Locale.ROOT, "maximum: %s # --max-sleep", maxSleep.toMillis() / 1000.0));
    JsonObject document = new JsonObject(Json.encode(new Yaml().load(limited)));
    return new JobContract(limited, document, payloadValidators(document), envelopeValidator(document));
  }

  /** The job types the contract knows. */
  public java.util.Set<String> types() {
    return payloads.keySet();
  }

  /**
   * Declares (or redeclares) a job type for external workers, with the JSON Schema of its payload.
   *
   * @throws IllegalArgumentException for a built-in type's name, a bad name or a schema that does not compile
   */
  public void declare(String name, JsonObject schema) {
    checkDeclarable(name, schema);
    declared.put(name, compile(name, schema));
    lastValid.remove(name);
  }

  /** Checks a declaration without making it; see {@link #declare}. */
  public void checkDeclarable(String name, JsonObject schema) {
    if (name == null || !DeclaredTypeName.VALID.matcher(name).matches()) {
      throw new IllegalArgumentException("a type name is 1 to 64 of a-z, 0-9, _ and -, starting with a letter; got '" + name + "'");
    }
    if (payloads.containsKey(name)) {
      throw new IllegalArgumentException("'" + name + "' is a built-in type and cannot be declared");
    }
    if (schema == null || schema.isEmpty()) {
      throw new IllegalArgumentException("the body must be the JSON Schema (an object) of the payload of " + name);
    }
    compile(name, schema);
  }

  private static CompiledSchema compile(String name, JsonObject schema) {
    try {
      return CompiledSchema.of(schema);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("the schema of " + name + " does not compile: " + e.getMessage(), e);
    }
  }

  /** Whether {@code type} was declared at run time (it is worked over HTTP, not by this node's workers). */
  public boolean isDeclared(String type) {
    return declared.containsKey(type);
  }

  /** The YAML text, as served at {@code GET /api/openapi.yaml}. */
  public String yaml() {
    return yaml;
  }

  /** The whole document as JSON (a copy), for the request validation of the REST API. */
  public JsonObject document() {
    return document.copy();
  }

  /**
   * A job request as the API takes it ({@code JobRequest}): the envelope first, then the payload against its type's
   * schema. Both validators are compiled once; the generic request validation of the router compiles one per request
   * and tries every type's rule, ten times the cost.
   *
   * @throws IllegalArgumentException naming the field and what is wrong
   */
  public void checkRequest(JsonObject body) {
    Map<String, Object> shape = envelopeOf(body);
    if (shape == null || !validEnvelopes.contains(shape)) {
      Optional<String> wrong = envelope.check(body);
      if (wrong.isPresent()) {
        throw new IllegalArgumentException(wrong.get());
      }
      if (shape != null) {
        if (validEnvelopes.size() >= ENVELOPES_KEPT) {
          validEnvelopes.clear();
        }
        validEnvelopes.add(shape);
      }
    }
    checkPayload(body.getString("type"), body.getJsonObject("payload"));
  }

  /**
   * The request without its payload, when the payload is an object and every other value plain (text, number,
   * boolean): what decides the envelope's validity. {@code null} for any other request, which is checked in full.
   */
  private static Map<String, Object> envelopeOf(JsonObject body) {
    if (!(body.getValue("payload") instanceof JsonObject)) {
      return null;
    }
    Map<String, Object> shape = new HashMap<>(body.size());
    for (Map.Entry<String, Object> field : body) {
      Object value = field.getValue();
      if ("payload".equals(field.getKey())) {
        continue;
      }
      if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
        return null;
      }
      shape.put(field.getKey(), value);
    }
    return shape;
  }

  /** @throws IllegalArgumentException naming the type, the field and what is wrong */
  public void checkPayload(String type, JsonObject payload) {
    CompiledSchema validator = payloads.get(type);
    if (validator == null) {
      validator = declared.get(type);
    }
    if (validator == null) {
      throw new IllegalArgumentException("unknown job type '" + type + "'; known: " + payloads.keySet().stream().sorted().toList()
          + ", declared: " + declared.keySet().stream().sorted().toList() + " (declare one with PUT /api/types/{name})");
    }
    if (payload != null && payload.equals(lastValid.get(type))) {
      return;
    }
    Optional<String> wrong = validator.check(payload);
    if (wrong.isPresent()) {
      throw new IllegalArgumentException(type + " payload: " + controlCharacter(payload).orElse(wrong.get()));
    }
    if (payload != null) {
      lastValid.put(type, payload.copy());
    }
  }

  /**
   * A text is one line of printable characters: one that holds a control character (which would drive the terminal of
   * whoever watches the output) is refused, and the error names the character, which a schema's pattern cannot.
   */
  public static Optional<String> controlCharacter(JsonObject payload) {
    for (String field : payload.fieldNames()) {
      if (payload.getValue(field) instanceof String text) {
        for (int i = 0; i < text.length(); i++) {
          char c = text.charAt(i);
          if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
            return Optional.of(String.format(Locale.ROOT, "%s holds the control character U+%04X%s at position %d; "
                + "a text must be one line of printable characters", field, (int) c, name(c), i));
          }
        }
      }
    }
    return Optional.empty();
  }

  private static String name(char c) {
    return switch (c) {
      case 0x00 -> " (NUL)";
      case 0x07 -> " (BEL)";
      case 0x08 -> " (backspace)";
      case 0x09 -> " (tab)";
      case 0x0A -> " (line feed)";
      case 0x0D -> " (carriage return)";
      case 0x1B -> " (ESC)";
      case 0x7F -> " (DEL)";
      default -> "";
    };
  }


  private static CompiledSchema envelopeValidator(JsonObject document) {
    JsonObject schemas = document.getJsonObject("components").getJsonObject("schemas");
    JsonObject envelope = schemas.getJsonObject("JobRequest").copy();
    envelope.remove("allOf");
    JsonObject properties = envelope.getJsonObject("properties");
    for (String name : properties.fieldNames()) {
      String ref = properties.getJsonObject(name).getString("$ref");
      if (ref != null) {
        properties.put(name, schemas.getJsonObject(ref.substring(ref.lastIndexOf('/') + 1)));
      }
    }
    return CompiledSchema.of(envelope);
  }

  // JobRequest.allOf: [{if: {properties: {type: {const|enum}}}, then: {properties: {payload: {$ref}}}}, ...]
  private static Map<String, CompiledSchema> payloadValidators(JsonObject document) {
    JsonObject schemas = document.getJsonObject("components").getJsonObject("schemas");
    JsonArray rules = schemas.getJsonObject("JobRequest").getJsonArray("allOf");
    Map<String, CompiledSchema> validators = new HashMap<>();
    for (Object r : rules) {
      JsonObject rule = (JsonObject) r;
      JsonObject type = rule.getJsonObject("if").getJsonObject("properties").getJsonObject("type");
      String ref = rule.getJsonObject("then").getJsonObject("properties").getJsonObject("payload").getString("$ref");
      JsonObject schema = schemas.getJsonObject(ref.substring(ref.lastIndexOf('/') + 1));
      CompiledSchema validator = CompiledSchema.of(schema);
      List<?> names = type.containsKey("const") ? List.of(type.getString("const")) : type.getJsonArray("enum").getList();
      names.forEach(name -> validators.put(String.valueOf(name), validator));
    }
    return validators;
  }
}
