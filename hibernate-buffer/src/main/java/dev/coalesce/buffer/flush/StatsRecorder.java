package dev.coalesce.buffer.flush;

import java.util.concurrent.atomic.LongAdder;

/** Counts what this node's buffer did, for {@code BufferStats}. */
public final class StatsRecorder {

  public final LongAdder incrementsAccepted = new LongAdder();
  public final LongAdder deltasPushed = new LongAdder();
  public final LongAdder rowsFlushed = new LongAdder();
  public final LongAdder flushes = new LongAdder();
  public final LongAdder rowsFailed = new LongAdder();
  public final LongAdder directFallbacks = new LongAdder();
}
