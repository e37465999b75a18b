package dev.coalesce.cache.internal;

import dev.coalesce.redis.internal.LuaScript;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.redisson.api.RFuture;
import org.redisson.api.RScript;
import org.redisson.api.RScriptAsync;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;

/**
 * The steps of {@code entry.lua} as calls: one key (the entry) or two (the entry and its region's
 * clear key, in the same hash slot), the step's name first among the arguments. The {@code many}
 * step of a load's write-backs is built by {@link WriteBacks}: the clear key first, then the
 * entries, and all their steps packed in one argument.
 */
final class EntryScript {

  /** The script, for loading it again after a server lost it ({@link RedisCalls}). */
  static final LuaScript ENTRY = LuaScript.fromResource(EntryScript.class, "entry.lua");

  private EntryScript() {}

  /** Runs one step and waits for its answer (a number). */
  static Long run(RedissonClient client, List<Object> keys, String step, Object... args) {
    return ENTRY.eval(
        client.getScript(ByteArrayCodec.INSTANCE),
        RScript.Mode.READ_WRITE,
        RScript.ReturnType.LONG,
        keys,
        withStep(step, args));
  }

  /** Runs the lock step, whose answer is the token of the lock now held. */
  static byte[] lock(RedissonClient client, String key, Object... args) {
    return ENTRY.eval(
        client.getScript(ByteArrayCodec.INSTANCE),
        RScript.Mode.READ_WRITE,
        RScript.ReturnType.VALUE,
        List.of(key),
        withStep("lock", args));
  }

  /** Queues one step on a batch's scripts, so many steps share one round trip. */
  static <R> RFuture<R> queue(
      RScriptAsync scripts,
      RScript.ReturnType returnType,
      List<Object> keys,
      String step,
      Object... args) {
    return ENTRY.evalAsync(
        scripts, RScript.Mode.READ_WRITE, returnType, keys, withStep(step, args));
  }

  /** An entry's key and its region's clear key, or the entry's alone. */
  static List<Object> keys(String key, String clearKey) {
    return clearKey == null ? List.of(key) : List.of(key, clearKey);
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] ascii(long n) {
    return ascii(Long.toString(n));
  }

  private static Object[] withStep(String step, Object[] args) {
    Object[] all = new Object[args.length + 1];
    all[0] = ascii(step);
    System.arraycopy(args, 0, all, 1, args.length);
    return all;
  }
}
