package dev.coalesce.samples.tracker.simulate;

import java.time.Duration;
import java.util.List;

/**
 * What one run measured; {@link SummaryTable} prints it.
 *
 * @param eventsSent events whose transaction committed
 * @param failedEvents events whose transaction failed (not counted as sent)
 * @param firstErrors the first few failures, for the report
 * @param loadRoundTrips Redis round trips while the events were sent, by every thread (events,
 *     pages, flushes); {@code -1} without Redis
 * @param counterRowUpdates SQL row updates that wrote {@code times_seen}: one per event for plain
 *     Hibernate, one per issue per flush with the buffer
 * @param flushes buffer flushes that updated rows ({@code -1} when there is no buffer)
 * @param otherIssueUpdates other UPDATEs of issue rows (status, last seen), which with the buffer
 *     do not write the counter; {@code -1} for plain Hibernate, where every UPDATE writes it
 * @param pagesDuringLoad stream pages rendered while events arrived
 * @param pageAfterFlush cost of the first page after the final flush (the flush evicts the changed
 *     issues from the cache)
 * @param pageWarm cost of a page once the cache is warm (the median of a few)
 * @param databaseTotal sum of {@code times_seen} in the database after the final flush
 * @param wrongIssues issues whose database count differs from the events sent to them
 * @param hottestIssueSent events sent to the issue that gets the most
 * @param hottestIssueInDatabase that issue's {@code times_seen} in the database
 */
public record SimulationResult(
    SimulationOptions options,
    long eventsSent,
    long failedEvents,
    List<String> firstErrors,
    Duration elapsed,
    long loadRoundTrips,
    long counterRowUpdates,
    long flushes,
    long otherIssueUpdates,
    long pagesDuringLoad,
    PageCost pageAfterFlush,
    PageCost pageWarm,
    long databaseTotal,
    long wrongIssues,
    long hottestIssueSent,
    long hottestIssueInDatabase,
    String streamPage,
    String issuePage) {

  /**
   * What rendering one stream page cost.
   *
   * @param redisRoundTrips {@code -1} without Redis
   */
  public record PageCost(
      int rows, long cacheHits, long cacheMisses, long sqlStatements, long redisRoundTrips) {}

  public double eventsPerSecond() {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds == 0 ? 0 : eventsSent / seconds;
  }

  /** Increments the database is missing (negative if it counted some twice). */
  public long lostIncrements() {
    return eventsSent - databaseTotal;
  }

  /** The final check: the database holds exactly the events sent, issue by issue. */
  public boolean passed() {
    return databaseTotal == eventsSent && wrongIssues == 0;
  }
}
