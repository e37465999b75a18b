package dev.coalesce.cache.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Date;

/**
 * The layout of one Redis value (one cache entry). Every record starts with a format byte ({@code
 * '1'}) and a kind byte; the READ_WRITE kinds have fixed-width ASCII fields so that the Lua scripts
 * in {@code entry.lua} can read and rewrite them with {@code string.sub}:
 *
 * <pre>
 * plain value  '1' 'V' timestamp(16) payload
 * item         '1' 'I' timestamp(16) version(21) payload
 * lock         '1' 'L' token(16) holders(4) timeout(16) unlocked-at(16) concurrent(1)
 * clear time   timestamp(16)             (a region's clear key, see RegionStorage)
 * </pre>
 *
 * Timestamps are Redis time in microseconds since the epoch, zero-padded. A value or item whose
 * timestamp is older than its region's clear time is gone: it reads as absent and may be
 * overwritten as if absent (how a region clear costs one key, not a scan). A version is {@code 'n'}
 * plus 20 zeros when the entity has none (or one that cannot be ordered as a number), else {@code
 * 'v'} and 20 digits that sort as the version does. The payload is {@link EntryCodec}'s.
 *
 * <p>Over our usual 250 lines: the layout is one specification, with the reading and building of
 * each kind beside it and the local store's rules that mirror {@code entry.lua}'s.
 */
final class Records {

  static final byte FORMAT = '1';
  static final byte PLAIN = 'V';
  static final byte ITEM = 'I';
  static final byte LOCK = 'L';

  static final int PLAIN_PAYLOAD = 2 + 16;
  static final int ITEM_PAYLOAD = 2 + 16 + 21;
  static final int LOCK_LENGTH = 2 + 16 + 4 + 16 + 16 + 1;
  static final String NO_VERSION = "n00000000000000000000";

  private Records() {}

  static byte kind(byte[] record) {
    if (record == null || record.length < 2 || record[0] != FORMAT) {
      return 0;
    }
    byte kind = record[1];
    if (kind == ITEM && record.length < ITEM_PAYLOAD) {
      return 0;
    }
    if (kind == PLAIN && record.length < PLAIN_PAYLOAD) {
      return 0;
    }
    if (kind == LOCK && record.length != LOCK_LENGTH) {
      return 0;
    }
    return kind;
  }

  static byte[] plain(long timestamp, byte[] payload) {
    byte[] head = ("1V" + pad16(timestamp)).getBytes(StandardCharsets.US_ASCII);
    byte[] record = new byte[head.length + payload.length];
    System.arraycopy(head, 0, record, 0, head.length);
    System.arraycopy(payload, 0, record, head.length, payload.length);
    return record;
  }

  /** A region's clear time as its clear key holds it (see {@code entry.lua}'s clear step). */
  static byte[] clearTime(long timestamp) {
    return pad16(timestamp).getBytes(StandardCharsets.US_ASCII);
  }

  /** The time in a clear key's record; 0 for none (never cleared, or the store did not answer). */
  static long clearedAt(byte[] clearRecord) {
    if (clearRecord == null || clearRecord.length == 0) {
      return 0;
    }
    try {
      return digits(clearRecord, 0, clearRecord.length);
    } catch (UndecodableEntryException e) {
      return Long.MAX_VALUE; // not ours: hide everything rather than serve what a clear removed
    }
  }

  /**
   * {@code record} as a reader may see it: null if it is a value or item written before its
   * region's clear at {@code clearedAt} (locks survive clears: they only ever hide values).
   */
  static byte[] unlessCleared(byte[] record, long clearedAt) {
    if (clearedAt == 0 || record == null) {
      return record;
    }
    byte kind = kind(record);
    if (kind != ITEM && kind != PLAIN) {
      return record;
    }
    try {
      return itemTimestamp(record) < clearedAt ? null : record;
    } catch (UndecodableEntryException e) {
      return record; // decoding it fails and deletes it
    }
  }

  static byte[] item(long timestamp, String version, byte[] payload) {
    byte[] head = ("1I" + pad16(timestamp) + version).getBytes(StandardCharsets.US_ASCII);
    byte[] record = new byte[head.length + payload.length];
    System.arraycopy(head, 0, record, 0, head.length);
    System.arraycopy(payload, 0, record, head.length, payload.length);
    return record;
  }

  /** The timestamp of an item or a plain value. */
  static long itemTimestamp(byte[] item) {
    return digits(item, 2, 18);
  }

  private static long digits(byte[] record, int from, int to) {
    long value = 0;
    for (int i = from; i < to; i++) {
      int digit = record[i] - '0';
      if (digit < 0 || digit > 9) {
        throw new UndecodableEntryException("bad timestamp");
      }
      value = value * 10 + digit;
    }
    return value;
  }

  static byte[] lock(String token, int holders, long timeout, long unlockedAt, boolean concurrent) {
    return ("1L"
            + token
            + String.format("%04d", holders)
            + pad16(timeout)
            + pad16(unlockedAt)
            + (concurrent ? '1' : '0'))
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** A parsed lock record. */
  record Lock(String token, int holders, long timeout, long unlockedAt, boolean concurrent) {
    static Lock parse(byte[] record) {
      String s = new String(record, StandardCharsets.US_ASCII);
      return new Lock(
          s.substring(2, 18),
          Integer.parseInt(s.substring(18, 22)),
          Long.parseLong(s.substring(22, 38)),
          Long.parseLong(s.substring(38, 54)),
          s.charAt(54) == '1');
    }

    boolean isLive(long now) {
      return holders > 0 && now < timeout;
    }

    byte[] toRecord() {
      return lock(token, holders, timeout, unlockedAt, concurrent);
    }
  }

  /**
   * Whether a put-from-load of {@code item} by a transaction that started at {@code startedMicros}
   * replaces {@code current} at {@code nowMicros}: the rule of {@code entry.lua}'s put-from-load
   * (without its transaction-age check), for the local store and for predicting the Redis answer.
   */
  static boolean acceptsPutFromLoad(
      byte[] current, long startedMicros, long nowMicros, byte[] item, boolean minimalPut) {
    byte kind = kind(current);
    if (kind == LOCK) {
      return startedAfterRelease(Lock.parse(current), startedMicros, nowMicros);
    }
    if (kind == ITEM) {
      return !minimalPut && newer(itemVersion(item), itemVersion(current));
    }
    return true;
  }

  /**
   * The add-if-absent rule of after-insert and of READ_ONLY/NONSTRICT loads: into an absent key, or
   * over the trace of writers (a released lock, an invalidation) that all left before the adding
   * transaction started; never over a value, an item or a live lock.
   */
  static boolean acceptsAdd(byte[] current, long startedMicros, long nowMicros) {
    if (current == null) {
      return true;
    }
    return kind(current) == LOCK
        && startedAfterRelease(Lock.parse(current), startedMicros, nowMicros);
  }

  /** Only a transaction that started after the last writer left has read committed data. */
  private static boolean startedAfterRelease(Lock lock, long startedMicros, long nowMicros) {
    long released = lock.unlockedAt();
    if (lock.holders() > 0) {
      released = nowMicros < lock.timeout() ? Long.MAX_VALUE : lock.timeout();
    }
    return startedMicros > released;
  }

  static String itemVersion(byte[] item) {
    return new String(item, 18, 21, StandardCharsets.US_ASCII);
  }

  /** 16 digits, zero-padded (String.format was a tenth of a cold load's CPU, in a profile). */
  static String pad16(long micros) {
    String digits = Long.toString(micros);
    return digits.length() >= 16 ? digits : "0000000000000000".substring(digits.length()) + digits;
  }

  /** The version field of {@code version}, see the class comment. */
  static String version(Object version) {
    Long ordered = orderedVersion(version);
    if (ordered == null) {
      return NO_VERSION;
    }
    String digits = Long.toUnsignedString(ordered ^ Long.MIN_VALUE);
    return "v" + "0".repeat(20 - digits.length()) + digits;
  }

  private static Long orderedVersion(Object version) {
    if (version instanceof Long
        || version instanceof Integer
        || version instanceof Short
        || version instanceof Byte) {
      return ((Number) version).longValue();
    }
    Instant instant = null;
    if (version instanceof java.sql.Timestamp t) {
      instant = t.toInstant();
    } else if (version instanceof Date d) {
      instant = d.toInstant();
    } else if (version instanceof Instant i) {
      instant = i;
    } else if (version instanceof LocalDateTime t) {
      instant = t.toInstant(ZoneOffset.UTC);
    } else if (version instanceof OffsetDateTime t) {
      instant = t.toInstant();
    } else if (version instanceof ZonedDateTime t) {
      instant = t.toInstant();
    }
    if (instant == null) {
      return null;
    }
    try {
      return Math.addExact(
          Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    } catch (ArithmeticException e) {
      return null;
    }
  }

  static boolean newer(String candidate, String current) {
    return candidate.charAt(0) == 'v'
        && current.charAt(0) == 'v'
        && candidate.compareTo(current) > 0;
  }
}
