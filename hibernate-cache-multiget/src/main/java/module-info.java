/**
 * hibernate-cache-multiget: a Redis second-level cache for Hibernate whose reads of many entities
 * are one multi-get. The API is {@code dev.coalesce.cache}; everything else is internal.
 */
// Hibernate ORM and Redisson ship no module-info.java: they can only be required as automatic
// modules.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.coalesce.cache {
  requires dev.coalesce.redis;
  // MultiGet takes an EntityManager, CacheReport a SessionFactory, and MultigetRegionFactory
  // extends Hibernate's RegionFactoryTemplate
  requires transitive jakarta.persistence;
  requires java.sql;
  requires java.naming;
  requires transitive org.hibernate.orm.core;
  requires org.jboss.logging;
  requires redisson;

  exports dev.coalesce.cache;

  // to coalesce-redis, for its Lua script (which LuaScript reads); to Hibernate, which creates the
  // entity persisters of this package by reflection
  opens dev.coalesce.cache.internal to
      dev.coalesce.redis,
      org.hibernate.orm.core;

  provides org.hibernate.integrator.spi.Integrator with
      dev.coalesce.cache.internal.MultigetIntegrator;
  provides org.hibernate.service.spi.ServiceContributor with
      dev.coalesce.cache.internal.MultigetServiceContributor;
  provides org.hibernate.boot.registry.selector.StrategyRegistrationProvider with
      dev.coalesce.cache.internal.RegionFactoryRegistration;
  provides dev.coalesce.redis.internal.KnownSettings with
      dev.coalesce.cache.internal.CacheKnownSettings;
}
