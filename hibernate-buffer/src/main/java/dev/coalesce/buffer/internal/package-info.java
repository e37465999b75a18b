/**
 * The implementation of hibernate-buffer, in one package so that its types can stay package-private
 * (as in Caffeine): only the API package {@link dev.coalesce.buffer} is public.
 *
 * <p>What is here, by responsibility, in the order an increment meets it:
 *
 * <ul>
 *   <li><b>Model</b>: which attributes are counters, validated at boot, and where their tables and
 *       columns are in Hibernate's mapping model ({@code CounterDeclarations}, {@code
 *       CounterModel}, {@code EntityCounters}, {@code RootCounters}, {@code CounterColumn}).
 *   <li><b>Capture</b>: counter changes of managed entities and {@code CounterBuffer.increment}
 *       calls become per-transaction deltas, handed over only after the commit ({@code
 *       CounterCapture}, {@code TransactionDeltas}, the merge and insert hooks).
 *   <li><b>Push</b>: how a committed transaction's deltas reach the store; {@code Pusher} groups
 *       the commits of many threads into numbered pushes, settles each exactly once and applies to
 *       the database directly ({@code DirectApplier}) only what provably never reached the store.
 *   <li><b>Store</b>: where committed deltas wait, partitioned, in Redis ({@code RedisDeltaStore}
 *       and its Lua scripts) or in this JVM ({@code LocalDeltaStore}), behind one contract ({@code
 *       DeltaStore}) with the claim and ack protocol of the flush.
 *   <li><b>Flush</b>: applies claimed deltas to the database exactly once, ledger row first and one
 *       {@code UPDATE} per row ({@code Flusher}, {@code FlushPlan}, {@code ClaimApplier}, {@code
 *       Ledger}, {@code RowUpdates}, {@code Leases}), and keeps the second-level cache from showing
 *       old counters ({@code CacheEviction}).
 *   <li><b>Boot</b>: settings read once ({@code BufferConfig}), the buffer registered with each
 *       SessionFactory and run ({@code BufferIntegrator}, {@code BufferRuntime}), its final flush
 *       at close.
 * </ul>
 *
 * <p>The public types here are public only because something outside this package must reach them:
 * Java's {@code ServiceLoader} instantiates the service providers ({@code BufferIntegrator}, {@code
 * BufferKnownSettings}), and the API's {@code CounterBuffer.of} finds a factory's buffer through
 * {@code RunningBuffers}. {@code ApiBaselineTest} in integration-tests keeps that list exact.
 *
 * <p>Internal to hibernate-buffer: not API, may change in any release.
 */
package dev.coalesce.buffer.internal;
