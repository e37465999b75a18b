package dev.coalesce.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a Redisson YAML configuration of a test topology to a temporary file. */
final class RedissonYaml {

  private RedissonYaml() {}

  /** A new temporary file holding {@code yaml}, deleted when the JVM exits. */
  static Path write(String prefix, String yaml) {
    try {
      Path file = Files.createTempFile(prefix, ".yaml");
      Files.writeString(file, yaml);
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the Redisson YAML", e);
    }
  }
}
