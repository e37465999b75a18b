package dev.coalesce.samples.tracker.simulate;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.atomic.LongAdder;
import org.redisson.client.NettyHook;
import org.redisson.client.protocol.CommandData;
import org.redisson.client.protocol.CommandsData;

/**
 * Counts what the sample's Redis client sends, as it leaves: one round trip per command or per
 * pipelined batch written to a connection, and the commands inside. Installed as Redisson's {@link
 * NettyHook}; the sample gives that client to Coalesce ({@code hibernate.coalesce.redis.client}),
 * so the cache and the buffer are counted too.
 */
final class RoundTripCounter implements NettyHook {

  private final LongAdder roundTrips = new LongAdder();
  private final LongAdder commands = new LongAdder();

  @Override
  public void afterBoostrapInitialization(Bootstrap bootstrap) {}

  @Override
  public void afterChannelInitialization(Channel channel) {
    // Last in the pipeline, so it is the first outbound handler a write passes.
    channel
        .pipeline()
        .addLast(
            new ChannelOutboundHandlerAdapter() {
              @Override
              public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
                  throws Exception {
                if (msg instanceof CommandsData batch) {
                  roundTrips.increment();
                  commands.add(batch.getCommands().size());
                } else if (msg instanceof CommandData<?, ?>) {
                  roundTrips.increment();
                  commands.increment();
                }
                super.write(ctx, msg, promise);
              }
            });
  }

  long roundTrips() {
    return roundTrips.sum();
  }

  long commands() {
    return commands.sum();
  }
}
