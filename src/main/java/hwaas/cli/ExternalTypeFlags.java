package hwaas.cli;

import hwaas.jobs.JobContract;
import hwaas.support.ConfigException;
import hwaas.work.WorkSettings;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** --external-type NAME=SCHEMA_FILE (repeatable) and --lease, checked before the node starts. */
final class ExternalTypeFlags {
  private ExternalTypeFlags() {
  }

  static WorkSettings settings(List<String> externalTypes, double leaseSeconds) {
    if (!(leaseSeconds >= 1 && leaseSeconds <= 3600)) {
      throw new ConfigException("--lease must be between 1 and 3600 seconds, got " + leaseSeconds);
    }
    Map<String, JsonObject> declared = new LinkedHashMap<>();
    for (String flag : externalTypes == null ? List.<String>of() : externalTypes) {
      int eq = flag.indexOf('=');
      if (eq <= 0 || eq == flag.length() - 1) {
        throw new ConfigException("--external-type must be NAME=SCHEMA_FILE, got '" + flag + "'");
      }
      String name = flag.substring(0, eq);
      Path file = Path.of(flag.substring(eq + 1));
      JsonObject schema;
      try {
        schema = new JsonObject(Files.readString(file));
      } catch (IOException e) {
        throw new ConfigException("--external-type " + name + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
      } catch (DecodeException | ClassCastException e) {
        throw new ConfigException("--external-type " + name + ": " + file + " is not a JSON object (the payload's JSON Schema)");
      }
      try {
        JobContract.standard().checkDeclarable(name, schema);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("--external-type " + name + ": " + e.getMessage());
      }
      declared.put(name, schema);
    }
    return WorkSettings.defaults().withLease(Duration.ofMillis(Math.round(leaseSeconds * 1000))).withDeclared(declared);
  }
}
