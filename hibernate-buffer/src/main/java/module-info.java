/**
 * hibernate-buffer: {@code @BufferedCounter} fields whose increments are buffered in Redis and
 * flushed as one {@code UPDATE} per row. The API is {@code dev.coalesce.buffer}; everything else is
 * internal.
 */
// Hibernate ORM and Redisson ship no module-info.java: they can only be required as automatic
// modules.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.coalesce.buffer {
  requires dev.coalesce.redis;
  // CounterBuffer's methods take EntityManagerFactory, EntityManager and SessionFactory
  requires transitive jakarta.persistence;
  requires java.sql;
  requires java.naming;
  requires transitive org.hibernate.orm.core;
  requires org.jboss.logging;
  requires redisson;

  exports dev.coalesce.buffer;

  // its Lua scripts, which coalesce-redis's LuaScript reads
  opens dev.coalesce.buffer.internal to
      dev.coalesce.redis;

  provides org.hibernate.integrator.spi.Integrator with
      dev.coalesce.buffer.internal.BufferIntegrator;
  provides dev.coalesce.redis.internal.KnownSettings with
      dev.coalesce.buffer.internal.BufferKnownSettings;
}
