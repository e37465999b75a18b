package dev.coalesce.cache.internal;

import dev.coalesce.redis.internal.metrics.Meters;
import java.util.List;

/**
 * The meters of one region, tagged {@code region}: its multi-gets (time and keys asked), the
 * entries it read from the store (hit: the store held a value; miss: nothing, a writer's lock or an
 * invalidation marker) and the outcomes of its write-backs (put-from-loads).
 */
final class RegionMeters {

  /** Publishes nothing: for storages built without a factory's meters. */
  static final RegionMeters NONE = new RegionMeters(Meters.NONE, "");

  private final Meters.Timing multiGet;
  private final Meters.Distribution keysPerMultiGet;
  private final Meters.Count hits;
  private final Meters.Count misses;
  private final Meters.Count stored;
  private final Meters.Count refused;

  RegionMeters(Meters meters, String region) {
    multiGet =
        meters.timer("coalesce.cache.multiget", "One multi-get of cache entries", "region", region);
    keysPerMultiGet =
        meters.summary(
            "coalesce.cache.multiget.keys",
            "Keys asked for by one multi-get",
            "keys",
            "region",
            region);
    hits = gets(meters, region, "hit");
    misses = gets(meters, region, "miss");
    stored = writeBacks(meters, region, "stored");
    refused = writeBacks(meters, region, "refused");
  }

  private static Meters.Count gets(Meters meters, String region, String result) {
    return meters.counter(
        "coalesce.cache.gets",
        "Cache entries read from the store, found holding a value (hit) or not (miss)",
        "entries",
        "region",
        region,
        "result",
        result);
  }

  private static Meters.Count writeBacks(Meters meters, String region, String result) {
    return meters.counter(
        "coalesce.cache.writebacks",
        "Loaded values written back to the cache (put-from-load): stored, or refused by the store"
            + " (a value or a writer's lock there, or the store unreachable)",
        "entries",
        "region",
        region,
        "result",
        result);
  }

  /** A multi-get that took {@code nanos} and answered {@code records} (null where absent). */
  void multiGet(long nanos, List<byte[]> records) {
    multiGet.record(nanos);
    keysPerMultiGet.record(records.size());
    int found = 0;
    for (byte[] record : records) {
      if (holdsValue(record)) {
        found++;
      }
    }
    count(hits, found);
    count(misses, records.size() - found);
  }

  /** One entry read on its own. */
  void read(byte[] record) {
    (holdsValue(record) ? hits : misses).add(1);
  }

  /** The outcome of one write-back. */
  void writeBack(boolean wasStored) {
    (wasStored ? stored : refused).add(1);
  }

  private static void count(Meters.Count counter, int amount) {
    if (amount > 0) {
      counter.add(amount);
    }
  }

  private static boolean holdsValue(byte[] record) {
    byte kind = Records.kind(record);
    return kind == Records.ITEM || kind == Records.PLAIN;
  }
}
