package hwaas.redis;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * Directories and files only this user may read: the embedded Redis's binary, data and password live in them. A
 * directory is never followed through a symbolic link, and one owned by someone else is refused, not used.
 */
public final class PrivateFiles {
  static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

  private PrivateFiles() {
  }

  /** Creates {@code dir} (and its parents) as 0700, or makes an existing one of ours 0700. */
  public static Path directory(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      Path parent = dir.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try {
        Files.createDirectory(dir, attribute(OWNER_ONLY_DIR));
      } catch (FileAlreadyExistsException raced) {
        // another node made it at the same moment: checked below like any existing one
      }
    }
    PosixFileAttributes attributes = posix(dir);
    if (attributes.isSymbolicLink() || !attributes.isDirectory()) {
      throw new IOException(dir + " is " + (attributes.isSymbolicLink() ? "a symbolic link" : "not a directory")
          + "; HWaaS keeps private files only in a real directory of its own");
    }
    UserPrincipal me = currentUser(dir);
    if (!attributes.owner().equals(me)) {
      throw new IOException(dir + " belongs to " + attributes.owner().getName() + ", not to " + me.getName()
          + ": another user may have created it to take over the node; remove it or choose another place");
    }
    if (!attributes.permissions().equals(OWNER_ONLY_DIR)) {
      Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
    }
    return dir;
  }

  /** Writes {@code text} to a new 0600 file (replacing any file, or link, of that name). */
  public static void writeSecret(Path file, String text) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, attribute(OWNER_ONLY_FILE));
    Files.writeString(file, text, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
  }

  /** A regular file of ours, not a link: safe to run or to trust. */
  static boolean isOurRegularFile(Path file) throws IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    PosixFileAttributes attributes = posix(file);
    return attributes.isRegularFile() && attributes.owner().equals(currentUser(file));
  }

  static FileAttribute<Set<PosixFilePermission>> attribute(Set<PosixFilePermission> permissions) {
    return PosixFilePermissions.asFileAttribute(permissions);
  }

  private static PosixFileAttributes posix(Path path) throws IOException {
    return Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
  }

  /** The owner of what this process creates (user.name may not name it, e.g. a uid without a passwd entry). */
  private static UserPrincipal currentUser(Path anywhere) throws IOException {
    UserPrincipal me = currentUser;
    if (me == null) {
      Path probe = Files.createTempFile("hwaas-owner", ".probe");
      try {
        me = Files.getOwner(probe, LinkOption.NOFOLLOW_LINKS);
      } finally {
        Files.deleteIfExists(probe);
      }
      currentUser = me;
    }
    return me;
  }

  private static volatile UserPrincipal currentUser;
}
