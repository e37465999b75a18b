package dev.coalesce.buffer.internal;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Applies one claim exactly once, in one database transaction: first the claim's record (the
 * partition's ledger row advanced to the claim's sequence number for a shared store; a row of
 * {@value Ledger#LOCAL_APPLIED_TABLE} naming this node's claim for the {@code local} store), then
 * the row updates, then what must be set aside, all committed together; then acknowledges the claim
 * in the store. A claim the database already holds is only acknowledged.
 */
final class ClaimApplier {

  private static final Logger LOG = Logger.getLogger(ClaimApplier.class);

  /** What one claim did; {@code applied} false when the database held it already. */
  record Applied(boolean applied, long rows, int rowCount) {}

  private final String factoryName;
  private final CounterModel model;
  private final DeltaStore store;
  private final Ledger ledger;
  private final FlushTransactions transactions;
  private final String node;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final StatsRecorder stats;

  /** Per partition, local claims acknowledged whose applied row is still to delete. */
  private final List<List<String>> localAcked;

  ClaimApplier(
      String factoryName,
      CounterModel model,
      DeltaStore store,
      Ledger ledger,
      FlushTransactions transactions,
      String node,
      Clock clock,
      LongSupplier nanoTime,
      StatsRecorder stats) {
    this.factoryName = factoryName;
    this.model = model;
    this.store = store;
    this.ledger = ledger;
    this.transactions = transactions;
    this.node = node;
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.stats = stats;
    this.localAcked = new ArrayList<>(store.partitions());
    for (int partition = 0; partition < store.partitions(); partition++) {
      localAcked.add(new ArrayList<>());
    }
  }

  /**
   * Applies {@code claim} unless the database holds it already.
   *
   * @param floor the partition's ledger value when the flush started
   */
  Applied apply(Claim claim, long floor, FlushFaults faults) {
    long[] floors = new long[store.partitions()];
    floors[claim.partition()] = floor;
    Together together = applyTogether(List.of(claim), floors, faults);
    return new Applied(together.applied() == 1, together.rows(), rowCount(claim));
  }

  /** What {@link #applyTogether} did: rows updated, and how many of its claims it applied. */
  record Together(long rows, int applied) {}

  /** How many rows a claim touches: what a claim of at most max rows counts. */
  static int rowCount(Claim claim) {
    Set<String> rows = new HashSet<>();
    claim.deltas().keySet().forEach(key -> rows.add(key.row()));
    return rows.size();
  }

  /**
   * Applies several claims of different partitions in one transaction: each claim's record first
   * (in partition order, so two flushers lock ledger rows in one order), leaving out the claims the
   * database holds already, then all their row updates sorted together, then what they set aside.
   * Each claim is acknowledged after the commit. A failure rolls back all of them, unapplied.
   *
   * @param floors the partitions' ledger values when the flush started
   */
  Together applyTogether(List<Claim> claims, long[] floors, FlushFaults faults) {
    boolean shared = store.shared();
    List<Claim> candidates = new ArrayList<>();
    List<Claim> heldAlready = new ArrayList<>();
    for (Claim claim : claims) {
      if (shared && claim.seq() <= floors[claim.partition()]) {
        heldAlready.add(claim); // applied before; only the ack was missing
      } else {
        candidates.add(claim);
      }
    }
    candidates.sort(Comparator.comparingInt(Claim::partition));
    Map<Claim, FlushPlan> plans = new LinkedHashMap<>();
    Map<RowUpdate, Claim> claimOfRow = new IdentityHashMap<>();
    List<RowUpdate> allUpdates = new ArrayList<>();
    for (Claim claim : candidates) {
      FlushPlan plan = FlushPlan.of(model, claim.deltas());
      plans.put(claim, plan);
      allUpdates.addAll(plan.updates());
      plan.updates().forEach(update -> claimOfRow.put(update, claim));
    }
    Map<Claim, String> localClaims = new HashMap<>();
    Map<Claim, List<String>> acked = new HashMap<>();
    if (!shared) {
      for (Claim claim : candidates) {
        localClaims.put(claim, node + ":" + claim.partition() + ":" + claim.seq());
        acked.put(claim, List.copyOf(localAcked.get(claim.partition())));
      }
    }
    List<Claim> applied = new ArrayList<>();
    List<RowUpdates.FailedRow> failed = new ArrayList<>();
    Long updated =
        timed(
            () ->
                transactions.flush(
                    allUpdates,
                    (connection, session) -> {
                      for (Claim claim : candidates) {
                        boolean mine;
                        if (shared) {
                          mine = ledger.advance(connection, claim.partition(), claim.seq());
                        } else {
                          mine = !ledger.localApplied(connection, localClaims.get(claim));
                          if (mine) {
                            ledger.forgetLocalApplied(connection, acked.get(claim));
                            ledger.markLocalApplied(
                                connection, localClaims.get(claim), clock.millis());
                          }
                        }
                        if (mine) {
                          applied.add(claim);
                        }
                      }
                      List<RowUpdate> updates = new ArrayList<>();
                      applied.forEach(claim -> updates.addAll(plans.get(claim).updates()));
                      FlushPlan.sort(updates);
                      long rows =
                          RowUpdates.execute(factoryName, connection, session, updates, failed);
                      for (Claim claim : applied) {
                        List<RowUpdates.FailedRow> ofClaim = new ArrayList<>();
                        for (RowUpdates.FailedRow row : failed) {
                          if (claimOfRow.get(row.update()) == claim) {
                            ofClaim.add(row);
                          }
                        }
                        ledger.setAside(
                            connection,
                            plans.get(claim).setAside(claim.seq(), ofClaim, store.partitions()));
                        faults.afterRowUpdates(claim);
                      }
                      return rows;
                    }));
    for (Claim claim : applied) {
      if (!shared) {
        localAcked.get(claim.partition()).removeAll(acked.get(claim));
      }
      afterSetAside(plans.get(claim), List.of());
      stats.claimApplied();
    }
    stats.rowsFailed(failed.size());
    stats.rowsFlushed(updated);
    for (Claim claim : applied) {
      faults.afterCommit(claim);
    }
    // applied now, or held by the database already (another node committed it first): one ack
    List<Claim> toAck = new ArrayList<>(heldAlready);
    toAck.addAll(candidates);
    store.ackAll(toAck);
    for (Claim claim : candidates) {
      String localClaim = localClaims.get(claim);
      if (localClaim != null) {
        localAcked.get(claim.partition()).add(localClaim);
      }
    }
    return new Together(updated, applied.size());
  }

  /**
   * Applies deltas straight to the database in a new transaction, without the store; deltas that
   * cannot be applied are recorded in {@value Ledger#FAILED_TABLE} in the same transaction.
   *
   * @return rows updated
   */
  long applyDirect(Map<CounterKey, Long> deltas) {
    FlushPlan plan = FlushPlan.of(model, deltas);
    List<RowUpdates.FailedRow> failed = new ArrayList<>();
    long updated =
        transactions.flush(
            plan.updates(),
            (connection, session) -> {
              long rows =
                  RowUpdates.execute(factoryName, connection, session, plan.updates(), failed);
              ledger.setAside(connection, plan.setAside(null, failed, store.partitions()));
              return rows;
            });
    afterSetAside(plan, failed);
    return updated;
  }

  /** Runs one flush transaction, timed for {@code coalesce.buffer.flush}. */
  private Long timed(Supplier<Long> transaction) {
    long start = nanoTime.getAsLong();
    boolean success = false;
    try {
      Long rows = transaction.get();
      success = true;
      return rows;
    } finally {
      stats.flushTransaction(nanoTime.getAsLong() - start, success);
    }
  }

  /** Counts and logs what a committed flush transaction set aside. */
  private void afterSetAside(FlushPlan plan, List<RowUpdates.FailedRow> failed) {
    stats.rowsFailed(failed.size());
    if (!plan.rejected().isEmpty()) {
      LOG.warnf(
          "SessionFactory '%s': counter deltas that cannot be applied (a counter this application"
              + " does not map, an id that does not parse) are set aside in %s: %s. Apply or"
              + " delete these rows with SQL as hibernate-buffer/README.md explains",
          factoryName, Ledger.FAILED_TABLE, plan.rejected());
    }
  }
}
