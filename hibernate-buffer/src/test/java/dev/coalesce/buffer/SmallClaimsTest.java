package dev.coalesce.buffer;

import static dev.coalesce.buffer.Boot.execute;
import static dev.coalesce.buffer.Boot.inTx;
import static dev.coalesce.buffer.Boot.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

import dev.coalesce.testing.RealServices;
import dev.coalesce.testing.TestDatabase;
import dev.coalesce.testing.TestRedis;
import jakarta.persistence.EntityManagerFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 4: a flush of a few rows spread over many partitions applies them in one database
 * transaction, not one per partition; counted by the database itself (a trigger records the
 * transaction id of every ledger advance).
 */
@RealServices
class SmallClaimsTest {

  @Test
  void smallClaimsOfManyPartitionsShareOneTransaction(TestDatabase db, TestRedis redis) {
    Map<String, Object> settings = Boot.redisSettings(db, redis);
    EntityManagerFactory factory = Boot.boot(settings, Post.class);
    try {
      CounterBuffer buffer = CounterBuffer.of(factory);
      Boot.persistPosts(factory, 40);
      execute(db, "create table advances (partition_no int, tx bigint)");
      execute(
          db,
          "create function record_advance() returns trigger language plpgsql as $$ begin insert"
              + " into advances values (new.partition_no, txid_current()); return new; end $$");
      execute(
          db,
          "create trigger record_advance after update of last_seq on coalesce_buffer_ledger for"
              + " each row when (old.last_seq is distinct from new.last_seq) execute function"
              + " record_advance()");
      inTx(
          factory,
          em -> {
            for (long id = 1; id <= 40; id++) {
              buffer.increment(em, Post.class, id, "views", id);
            }
          });

      assertThat(buffer.flush()).isEqualTo(40);

      long partitions = queryLong(db, "select count(distinct partition_no) from advances");
      long transactions = queryLong(db, "select count(distinct tx) from advances");
      System.out.printf(
          "SmallClaimsTest: 40 rows in %d partitions applied in %d transaction(s)%n",
          partitions, transactions);
      assertThat(partitions).as("partitions flushed").isGreaterThan(8);
      assertThat(transactions).as("flush transactions").isEqualTo(1);
      assertThat(queryLong(db, "select sum(views) from post")).isEqualTo(40 * 41 / 2);
      assertThat(buffer.stats().flushes()).isEqualTo(partitions);
    } finally {
      factory.close();
    }
  }
}
