package dev.coalesce.redis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;

/**
 * A Lua script kept as a classpath resource, read once. Redisson sends it as {@code EVALSHA} and
 * falls back to {@code EVAL} when the server does not know it yet (its script cache is on by
 * default), so a script costs its bytes on the wire once per server.
 */
public final class LuaScript {

  private final String name;
  private final String source;

  private LuaScript(String name, String source) {
    this.name = name;
    this.source = source;
  }

  /**
   * Reads {@code resource}, resolved like {@link Class#getResourceAsStream(String)} against {@code
   * anchor}.
   *
   * @throws IllegalStateException if the resource is missing: a packaging error
   */
  public static LuaScript fromResource(Class<?> anchor, String resource) {
    try (InputStream in = anchor.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "Lua script " + resource + " not found next to " + anchor.getName());
      }
      return new LuaScript(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read Lua script " + resource, e);
    }
  }

  public String name() {
    return name;
  }

  public String source() {
    return source;
  }

  /** Runs the script and waits for its result. */
  public <R> R eval(
      RScript script,
      RScript.Mode mode,
      RScript.ReturnType returnType,
      List<Object> keys,
      Object... args) {
    return script.eval(mode, source, returnType, keys, args);
  }

  /** Queues the script, e.g. on a {@code RBatch}'s script, so many calls share one round trip. */
  public <R> RFuture<R> evalAsync(
      RScriptAsync script,
      RScript.Mode mode,
      RScript.ReturnType returnType,
      List<Object> keys,
      Object... args) {
    return script.evalAsync(mode, source, returnType, keys, args);
  }

  @Override
  public String toString() {
    return "LuaScript[" + name + "]";
  }
}
