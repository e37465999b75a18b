package dev.coalesce.buffer.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.BitSet;

/**
 * Per-partition leases in {@value Ledger#LEASE_TABLE} ({@code partition_no, lease_owner,
 * lease_until} in clock milliseconds), so that in the normal case two nodes do not flush one
 * partition at once: a node takes the lease before claiming, renews it between two claims of a long
 * flush and releases it at the end. Standard SQL only (an UPDATE, then a SELECT of what it holds:
 * affected-row counts differ between databases).
 *
 * <p>Correctness never depends on a lease: a lease can expire mid-flush (a pause longer than it),
 * two clocks can disagree, and {@link #takeOver} ignores them; the ledger alone makes each claim
 * apply once.
 */
final class Leases {

  /**
   * How long a lease lasts unless renewed. It only has to outlast one claim's transaction (leases
   * are renewed between claims, whatever the flush interval), and a node that died keeps others off
   * its partitions' background flushes for at most this long.
   */
  static final Duration DEFAULT_DURATION = Duration.ofSeconds(30);

  private final String table;
  private final String owner;
  private final Clock clock;
  private volatile Duration duration = DEFAULT_DURATION;

  Leases(String table, String owner, Clock clock) {
    this.table = table;
    this.owner = owner;
    this.clock = clock;
  }

  /** For tests of this package: leases shorter than a flush, to see that they are not needed. */
  void duration(Duration duration) {
    this.duration = duration;
  }

  /**
   * Takes the lease of every partition below {@code partitions} that is free, expired or already
   * this node's.
   *
   * @return the partitions this node holds now
   */
  BitSet acquire(Connection connection, int partitions) throws SQLException {
    long now = clock.millis();
    try (PreparedStatement update =
        connection.prepareStatement(
            "update "
                + table
                + " set lease_owner = ?, lease_until = ? where partition_no = ?"
                + " and (lease_owner is null or lease_owner = ? or lease_until < ?)")) {
      for (int partition = 0; partition < partitions; partition++) {
        update.setString(1, owner);
        update.setLong(2, now + duration.toMillis());
        update.setInt(3, partition);
        update.setString(4, owner);
        update.setLong(5, now);
        update.addBatch();
      }
      update.executeBatch();
    }
    return held(connection, partitions);
  }

  /**
   * Takes the lease of every partition below {@code partitions}, whoever holds it: for a flush the
   * caller waits for ({@code CounterBuffer.flush()}, the last flush at close). A node whose lease
   * is taken stops flushing that partition at its next renewal, after its current claim at most.
   */
  BitSet takeOver(Connection connection, int partitions) throws SQLException {
    long until = clock.millis() + duration.toMillis();
    // one row at a time in partition order, as acquire and release do: no deadlock between them
    try (PreparedStatement update =
        connection.prepareStatement(
            "update " + table + " set lease_owner = ?, lease_until = ? where partition_no = ?")) {
      for (int partition = 0; partition < partitions; partition++) {
        update.setString(1, owner);
        update.setLong(2, until);
        update.setInt(3, partition);
        update.addBatch();
      }
      update.executeBatch();
    }
    return held(connection, partitions);
  }

  /** Extends this node's lease of {@code partition}; false when another node holds it now. */
  boolean renew(Connection connection, int partition) throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "update "
                + table
                + " set lease_until = ? where partition_no = ? and lease_owner = ?")) {
      update.setLong(1, clock.millis() + duration.toMillis());
      update.setInt(2, partition);
      update.setString(3, owner);
      update.executeUpdate();
    }
    return held(connection, partition + 1).get(partition);
  }

  /** Gives up the leases of {@code partitions} that this node still holds. */
  void release(Connection connection, BitSet partitions) throws SQLException {
    if (partitions.isEmpty()) {
      return;
    }
    try (PreparedStatement update =
        connection.prepareStatement(
            "update "
                + table
                + " set lease_owner = null, lease_until = 0"
                + " where partition_no = ? and lease_owner = ?")) {
      for (int partition = partitions.nextSetBit(0);
          partition >= 0;
          partition = partitions.nextSetBit(partition + 1)) {
        update.setInt(1, partition);
        update.setString(2, owner);
        update.addBatch();
      }
      update.executeBatch();
    }
  }

  private BitSet held(Connection connection, int partitions) throws SQLException {
    BitSet held = new BitSet(partitions);
    try (PreparedStatement select =
        connection.prepareStatement(
            "select partition_no from " + table + " where lease_owner = ? and partition_no < ?")) {
      select.setString(1, owner);
      select.setInt(2, partitions);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          held.set(rows.getInt(1));
        }
      }
    }
    return held;
  }
}
