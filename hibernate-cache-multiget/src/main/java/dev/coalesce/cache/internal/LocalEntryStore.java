package dev.coalesce.cache.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Entries in this JVM ({@code hibernate.coalesce.cache.store=local}): for one node and for tests.
 * Records and READ_WRITE rules are those of {@code entry.lua}, applied under the map's per-key
 * atomic {@code compute}.
 *
 * <p>Over our usual 250 lines: one method per {@link EntryStore} step, each the rule of {@code
 * entry.lua} written again for this JVM (held to it by {@code EntryStoreContractTest}).
 */
final class LocalEntryStore implements EntryStore {

  private record Entry(byte[] record, long expiresAtMicros) {
    boolean expired(long now) {
      return expiresAtMicros > 0 && now >= expiresAtMicros;
    }
  }

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final LongSupplier clockMicros;

  LocalEntryStore(LongSupplier clockMicros) {
    this.clockMicros = clockMicros;
  }

  @Override
  public long nowMicros() {
    return clockMicros.getAsLong();
  }

  private Entry live(String key, long now) {
    Entry entry = entries.get(key);
    if (entry != null && entry.expired(now)) {
      entries.remove(key, entry);
      return null;
    }
    return entry;
  }

  private final java.util.concurrent.atomic.AtomicLong writes =
      new java.util.concurrent.atomic.AtomicLong();

  /** Expired entries are dropped when read; sweep now and then for those never read again. */
  private long writeClock() {
    long now = nowMicros();
    if (writes.incrementAndGet() % 10_000 == 0) {
      entries.values().removeIf(entry -> entry.expired(now));
    }
    return now;
  }

  private static Entry entry(byte[] record, long ttlMillis, long now) {
    return new Entry(record, ttlMillis > 0 ? now + ttlMillis * 1_000 : 0);
  }

  private static byte[] current(Entry entry, long now) {
    return entry == null || entry.expired(now) ? null : entry.record();
  }

  @Override
  public byte[] get(String key) {
    Entry entry = live(key, nowMicros());
    return entry == null ? null : entry.record();
  }

  @Override
  public List<byte[]> getAll(List<String> keys) {
    List<byte[]> found = new java.util.ArrayList<>(keys.size());
    long now = nowMicros();
    for (String key : keys) {
      Entry entry = live(key, now);
      found.add(entry == null ? null : entry.record());
    }
    return found;
  }

  @Override
  public void set(String key, byte[] record, long ttlMillis) {
    entries.put(key, entry(record, ttlMillis, writeClock()));
  }

  @Override
  public void setUpdateTimestamp(String key, byte[] record) {
    set(key, record, 0);
  }

  @Override
  public void resendPending() {
    // nothing is ever unsent in this JVM
  }

  /**
   * The add step of entry.lua (and after-insert's): add-if-absent ({@link Records#acceptsAdd}),
   * unless cleared since or older than its maximum age.
   */
  private boolean add(AddIfAbsent add) {
    String key = add.key();
    long startedMicros = add.startedMicros();
    long now = writeClock();
    long cleared = clearedAt(add.clearKey());
    if (startedMicros <= cleared || now - startedMicros > add.maxAgeMicros()) {
      return false;
    }
    boolean[] set = new boolean[1];
    entries.compute(
        key,
        (k, old) -> {
          byte[] current = Records.unlessCleared(current(old, now), cleared);
          if (!Records.acceptsAdd(current, startedMicros, now)) {
            return old;
          }
          set[0] = true;
          return entry(add.record(), add.ttlMillis(), now);
        });
    return set[0];
  }

  /** The refresh step of entry.lua: replaces, unless cleared since or under a writer's lock. */
  private boolean refresh(Refresh refresh) {
    long now = writeClock();
    long cleared = clearedAt(refresh.clearKey());
    if (refresh.startedMicros() <= cleared
        || now - refresh.startedMicros() > refresh.maxAgeMicros()) {
      return false;
    }
    boolean[] set = new boolean[1];
    entries.compute(
        refresh.key(),
        (k, old) -> {
          byte[] current = current(old, now);
          if (Records.kind(current) == Records.LOCK
              && !Records.acceptsAdd(current, refresh.startedMicros(), now)) {
            return old;
          }
          set[0] = true;
          return entry(refresh.record(), refresh.ttlMillis(), now);
        });
    return set[0];
  }

  /**
   * The time of the region's last clear. Read before the entry's compute: a clear between the two
   * is as if it came after the step, as in Redis where the step is atomic.
   */
  private long clearedAt(String clearKey) {
    return clearKey == null ? 0 : Records.clearedAt(get(clearKey));
  }

  @Override
  public void deleteIfEquals(String key, byte[] record) {
    entries.computeIfPresent(
        key, (k, old) -> java.util.Arrays.equals(old.record(), record) ? null : old);
  }

  @Override
  public void clear(List<String> clearKeys) {
    long now = writeClock();
    for (String clearKey : clearKeys) {
      entries.put(clearKey, new Entry(Records.clearTime(now), 0));
    }
  }

  @Override
  public void forEachKey(String prefix, java.util.function.Consumer<String> action) {
    long now = nowMicros();
    entries.forEach(
        (key, entry) -> {
          if (key.startsWith(prefix) && !entry.expired(now)) {
            action.accept(key);
          }
        });
  }

  @Override
  public String lock(String key, String token, long timeoutMicros, long lockTtlMillis) {
    long now = writeClock();
    String[] held = new String[1];
    entries.compute(
        key,
        (k, old) -> {
          byte[] record = current(old, now);
          if (Records.kind(record) == Records.LOCK) {
            Records.Lock lock = Records.Lock.parse(record);
            if (lock.isLive(now)) {
              held[0] = lock.token();
              return entry(
                  new Records.Lock(
                          lock.token(),
                          Math.min(lock.holders() + 1, 9999),
                          now + timeoutMicros,
                          lock.unlockedAt(),
                          true)
                      .toRecord(),
                  lockTtlMillis,
                  now);
            }
          }
          held[0] = token;
          return entry(Records.lock(token, 1, now + timeoutMicros, now, false), lockTtlMillis, now);
        });
    return held[0];
  }

  @Override
  public void unlock(String key, String token, long lockTtlMillis) {
    if (token == null) {
      invalidate(key, lockTtlMillis);
    } else {
      release(key, 0, token, null, null, 0, lockTtlMillis);
    }
  }

  @Override
  public List<String> lockAll(
      List<String> keys, List<String> tokens, long timeoutMicros, long lockTtlMillis) {
    List<String> held = new java.util.ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      held.add(lock(keys.get(i), tokens.get(i), timeoutMicros, lockTtlMillis));
    }
    return held;
  }

  @Override
  public void unlockAll(List<String> keys, List<String> tokens, long lockTtlMillis) {
    for (int i = 0; i < keys.size(); i++) {
      unlock(keys.get(i), tokens.get(i), lockTtlMillis);
    }
  }

  @Override
  public boolean afterUpdate(
      String key,
      String clearKey,
      String token,
      String version,
      byte[] payload,
      long ttlMillis,
      long lockTtlMillis) {
    return release(key, clearedAt(clearKey), token, version, payload, ttlMillis, lockTtlMillis);
  }

  /** The unlock and after-update steps of entry.lua; true if the value was cached. */
  private boolean release(
      String key,
      long cleared,
      String token,
      String version,
      byte[] payload,
      long ttlMillis,
      long lockTtlMillis) {
    long now = writeClock();
    boolean[] cached = new boolean[1];
    entries.compute(
        key,
        (k, old) -> {
          byte[] record = current(old, now);
          if (Records.kind(record) == Records.LOCK) {
            Records.Lock lock = Records.Lock.parse(record);
            if (lock.token().equals(token) && lock.holders() > 0) {
              if (payload != null
                  && lock.holders() == 1
                  && !lock.concurrent()
                  && lock.unlockedAt() >= cleared) {
                cached[0] = true;
                return entry(Records.item(now, version, payload), ttlMillis, now);
              }
              int holders = lock.holders() - 1;
              return entry(
                  new Records.Lock(
                          lock.token(),
                          holders,
                          lock.timeout(),
                          holders == 0 ? now : lock.unlockedAt(),
                          lock.concurrent())
                      .toRecord(),
                  lockTtlMillis,
                  now);
            }
            if (lock.isLive(now)) {
              return old;
            }
          }
          return entry(invalidation(now), lockTtlMillis, now);
        });
    return cached[0];
  }

  private static byte[] invalidation(long now) {
    return Records.lock("0000000000000000", 0, now, now, false);
  }

  @Override
  public boolean afterInsert(
      String key,
      String clearKey,
      long startedMicros,
      String version,
      byte[] payload,
      long ttlMillis) {
    // no age limit, as entry.lua's after-insert: the committing thread sends it, nothing queues it
    return add(
        new AddIfAbsent(
            key,
            clearKey,
            startedMicros,
            Records.item(nowMicros(), version, payload),
            ttlMillis,
            Long.MAX_VALUE));
  }

  @Override
  public void invalidate(String key, long lockTtlMillis) {
    long now = writeClock();
    entries.compute(
        key,
        (k, old) -> {
          byte[] record = current(old, now);
          if (Records.kind(record) == Records.LOCK && Records.Lock.parse(record).isLive(now)) {
            return old;
          }
          return entry(invalidation(now), lockTtlMillis, now);
        });
  }

  @Override
  public void removeUnlessLocked(String key) {
    long now = writeClock();
    entries.compute(
        key,
        (k, old) -> {
          byte[] record = current(old, now);
          return Records.kind(record) == Records.LOCK ? old : null;
        });
  }

  @Override
  public boolean putFromLoad(
      String key,
      String clearKey,
      long startedMicros,
      byte[] item,
      long ttlMillis,
      long maxAgeMicros,
      boolean minimalPut) {
    long now = writeClock();
    long cleared = clearedAt(clearKey);
    if (startedMicros <= cleared || now - startedMicros > maxAgeMicros) {
      return false;
    }
    boolean[] put = new boolean[1];
    entries.compute(
        key,
        (k, old) -> {
          byte[] current = Records.unlessCleared(current(old, now), cleared);
          boolean accept =
              Records.acceptsPutFromLoad(current, startedMicros, now, item, minimalPut);
          put[0] = accept;
          return accept ? entry(item, ttlMillis, now) : old;
        });
    return put[0];
  }

  @Override
  public CompletableFuture<List<Boolean>> writeAllAsync(
      List<Write> writes, java.util.function.Consumer<List<Boolean>> onAnswer) {
    List<Boolean> stored = writeAll(writes);
    onAnswer.accept(stored);
    return CompletableFuture.completedFuture(stored);
  }

  @Override
  public List<Boolean> writeAll(List<Write> writes) {
    List<Boolean> stored = new java.util.ArrayList<>(writes.size());
    for (Write write : writes) {
      if (write instanceof AddIfAbsent add) {
        stored.add(add(add));
      } else if (write instanceof Refresh refresh) {
        stored.add(refresh(refresh));
      } else if (write instanceof PutFromLoad p) {
        stored.add(
            putFromLoad(
                p.key(),
                p.clearKey(),
                p.startedMicros(),
                p.item(),
                p.ttlMillis(),
                p.maxAgeMicros(),
                p.minimalPut()));
      }
    }
    return stored;
  }

  @Override
  public void close() {
    entries.clear();
  }
}
