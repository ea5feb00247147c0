package hwaas.jobs;

import java.util.regex.Pattern;

/** What a job type's name may be: also a part of Redis key names, so short and plain. */
final class DeclaredTypeName {
  static final Pattern VALID = Pattern.compile("^[a-z][a-z0-9_-]{0,63}$");

  private DeclaredTypeName() {
  }
}
