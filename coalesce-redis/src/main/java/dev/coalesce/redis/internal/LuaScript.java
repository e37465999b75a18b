package dev.coalesce.redis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisNoScriptException;
import org.redisson.client.codec.StringCodec;

/**
 * A Lua script kept as a classpath resource, read once. Redisson sends it as {@code EVALSHA} and
 * falls back to {@code EVAL} when the server does not know it yet (its script cache is on by
 * default), so a script costs its bytes on the wire once per server.
 *
 * <p>Inside a pipeline ({@code RBatch}) Redisson does not fall back: it loads a script first only
 * on an address it has not sent that script to before, in this JVM. A server whose script cache is
 * empty at an address Redisson remembers (a replica promoted by a failover, since scripts are not
 * replicated, a restart, a new server on the same port, or {@code SCRIPT FLUSH}) answers every
 * pipelined call {@code NOSCRIPT}, and would until some single call loaded the script. So the
 * modules {@link #loadEverywhere load} their scripts at start, and callers of pipelines {@link
 * #loadAfterNoScript load} them again when a failure {@link #isNoScript is NOSCRIPT}; the retry
 * that follows finds them.
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

  /**
   * Whether {@code failure}, one of its causes or one of their suppressed exceptions is Redis's
   * {@code NOSCRIPT}: a script call reached a server that does not have the script, so that call
   * did nothing.
   */
  public static boolean isNoScript(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof RedisNoScriptException) {
        return true;
      }
      for (Throwable suppressed : t.getSuppressed()) {
        if (suppressed instanceof RedisNoScriptException) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * If {@code failure} {@link #isNoScript is NOSCRIPT}, loads {@code scripts} into the script cache
   * of every master ({@code SCRIPT LOAD}) and returns true; else does nothing and returns false.
   *
   * @throws org.redisson.client.RedisException if loading fails (Redis is down, say)
   */
  public static boolean loadAfterNoScript(
      RedissonClient client, Throwable failure, LuaScript... scripts) {
    if (!isNoScript(failure)) {
      return false;
    }
    loadEverywhere(client, scripts);
    return true;
  }

  /**
   * Loads {@code scripts} into the script cache of every master ({@code SCRIPT LOAD}); called once
   * at start. Redisson remembers which scripts each server address has, for the whole JVM, and
   * sends a pipeline's calls as {@code EVALSHA} to an address it remembers: a server started again
   * on that address (a restart, a new server on the same port) has none, and the first pipeline
   * would fail with {@code NOSCRIPT}.
   *
   * @throws org.redisson.client.RedisException if loading fails (Redis is down, say)
   */
  public static void loadEverywhere(RedissonClient client, LuaScript... scripts) {
    RScript server = client.getScript(StringCodec.INSTANCE);
    for (LuaScript script : scripts) {
      server.scriptLoad(script.source);
    }
  }

  @Override
  public String toString() {
    return "LuaScript[" + name + "]";
  }
}
