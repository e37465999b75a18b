package dev.coalesce.cache.internal;

/**
 * A store key as its region's prefix and the cache key's text: what the session's {@link
 * TransactionCache} is keyed by. Its hash combines the prefix's (computed once per region) with the
 * short text's, so the per-id lookups of a load do not hash the whole Redis key; the full key is
 * built once, when the store is called. It also names the clear key of its region (of its shard, on
 * a Redis Cluster), which every read and write-back of the entry consults, see {@link Records}.
 */
final class EntryKey {

  private final String prefix;
  private final String text;
  private final String clearKey;
  private final int hash;
  private String full;

  EntryKey(String prefix, String text, String clearKey) {
    this.prefix = prefix;
    this.text = text;
    this.clearKey = clearKey;
    this.hash = prefix.hashCode() * 31 + text.hashCode();
  }

  /** The Redis key. */
  String full() {
    String key = full;
    if (key == null) {
      key = prefix.concat(text);
      full = key;
    }
    return key;
  }

  /** The key of the region's clear time that governs this entry; null for timestamps. */
  String clearKey() {
    return clearKey;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof EntryKey that
        && hash == that.hash
        && text.equals(that.text)
        && prefix.equals(that.prefix);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return full();
  }
}
