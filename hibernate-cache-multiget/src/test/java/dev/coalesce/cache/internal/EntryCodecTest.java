package dev.coalesce.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.hibernate.bytecode.enhance.spi.LazyPropertyInitializer;
import org.hibernate.cache.spi.entry.StandardCacheEntryImpl;
import org.junit.jupiter.api.Test;

class EntryCodecTest {

  record Money(long cents, String currency) implements Serializable {}

  private static Object roundTrip(Object value) {
    byte[] record = Records.plain(0, EntryCodec.encode(value));
    return EntryCodec.decode(record, Records.PLAIN_PAYLOAD);
  }

  @Test
  void javaSerializationOfAClassNoMappingModelNamesIsRefused() {
    // Without a factory, only JDK value types are admitted (see DecodingContext).
    byte[] record = Records.plain(0, EntryCodec.encode(new Money(1999, "EUR")));
    assertThatThrownBy(() -> EntryCodec.decode(record, Records.PLAIN_PAYLOAD))
        .isInstanceOf(UndecodableEntryException.class)
        .hasMessageContaining("REJECTED");
  }

  @Test
  void everyTaggedTypeAndTheSerializationFallbackRoundTrip() {
    Timestamp timestamp = new Timestamp(1_700_000_000_123L);
    timestamp.setNanos(123_456_789);
    List<Object> values =
        Arrays.asList(
            null,
            "héllo",
            42L,
            7,
            (short) 3,
            (byte) 1,
            true,
            false,
            1.5d,
            2.5f,
            'x',
            new BigDecimal("12345.678"),
            new BigInteger("123456789012345678901234567890"),
            UUID.randomUUID(),
            LocalDate.of(2026, 11, 28),
            LocalDateTime.of(2026, 11, 28, 17, 30, 1, 5),
            LocalTime.of(23, 59, 58, 1),
            Instant.ofEpochSecond(1_700_000_000, 99),
            timestamp,
            new Date(1_700_000_000_000L),
            // not tagged: Java serialization, a JDK value type the filter admits
            java.time.Duration.ofSeconds(90),
            new java.util.TreeMap<>(java.util.Map.of("a", 1L)));
    for (Object value : values) {
      assertThat(roundTrip(value)).isEqualTo(value);
    }
    assertThat((byte[]) roundTrip(new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
    Serializable[] state = {"a", 1L, null, LazyPropertyInitializer.UNFETCHED_PROPERTY};
    Serializable[] decoded = (Serializable[]) roundTrip(state);
    assertThat(decoded).containsExactly("a", 1L, null, LazyPropertyInitializer.UNFETCHED_PROPERTY);
    assertThat(decoded[3]).isSameAs(LazyPropertyInitializer.UNFETCHED_PROPERTY);
    assertThat(roundTrip(new ArrayList<>(List.of(1L, "b")))).isEqualTo(List.of(1L, "b"));
  }

  @Test
  void truncatedOrUnknownPayloadsAreUndecodableNeverGarbage() {
    byte[] record = Records.plain(0, EntryCodec.encode(new Serializable[] {"abc", 5L}));
    for (int cut = Records.PLAIN_PAYLOAD; cut < record.length; cut++) {
      byte[] truncated = Arrays.copyOf(record, cut);
      assertThatThrownBy(() -> EntryCodec.decode(truncated, Records.PLAIN_PAYLOAD))
          .isInstanceOf(UndecodableEntryException.class);
    }
    byte[] unknownTag = {'1', 'V', (byte) 200};
    assertThatThrownBy(() -> EntryCodec.decode(unknownTag, Records.PLAIN_PAYLOAD))
        .isInstanceOf(UndecodableEntryException.class);
  }

  @Test
  void versionsSortAsTheyCompare() {
    assertThat(Records.newer(Records.version(20), Records.version(19))).isTrue();
    assertThat(Records.newer(Records.version(19), Records.version(20))).isFalse();
    assertThat(Records.newer(Records.version(-1L), Records.version(-2L))).isTrue();
    assertThat(Records.newer(Records.version(1L), Records.version(-1L))).isTrue();
    assertThat(
            Records.newer(
                Records.version(Instant.ofEpochSecond(10, 1)),
                Records.version(Instant.ofEpochSecond(10))))
        .isTrue();
    assertThat(Records.version("not orderable")).isEqualTo(Records.NO_VERSION);
    assertThat(Records.newer(Records.version(2), Records.NO_VERSION)).isFalse();
  }

  @Test
  void entityNamesThatShareALengthAndEndingDecodeToTheirOwnNames() throws Exception {
    var constructor =
        StandardCacheEntryImpl.class.getDeclaredConstructor(
            Serializable[].class, String.class, Object.class);
    constructor.setAccessible(true);
    List<String> names = List.of("com.a.Post", "com.b.Post", "org.x.Post", "com.a.Post");
    for (int round = 0; round < 3; round++) {
      for (String name : names) {
        Object entry = constructor.newInstance(new Serializable[] {"t", 1L}, name, 7);
        StandardCacheEntryImpl decoded = (StandardCacheEntryImpl) roundTrip(entry);
        assertThat(decoded.getSubclass()).isEqualTo(name);
        assertThat(decoded.getVersion()).isEqualTo(7);
        assertThat(decoded.getDisassembledState()).containsExactly("t", 1L);
      }
    }
  }
}
