/**
 * What the Coalesce modules share. Applications see only {@code dev.coalesce.redis} (the shared
 * setting keys and the boot-time exception); the internals are exported to the two Coalesce modules
 * alone.
 */
// "module": the qualified exports name dev.coalesce.buffer and dev.coalesce.cache, which are built
// after this module and so are not on its module path. "requires-automatic",
// "requires-transitive-automatic": Hibernate ORM, Redisson and Micrometer ship no module-info.java,
// so they can only be required as automatic modules.
@SuppressWarnings({"module", "requires-automatic", "requires-transitive-automatic"})
module dev.coalesce.redis {
  requires java.naming;
  requires java.sql;
  // CoalesceConfigurationException, in the exported package, extends HibernateException
  requires transitive org.hibernate.orm.core;
  requires org.jboss.logging;
  requires redisson;
  requires static micrometer.core;

  exports dev.coalesce.redis;
  exports dev.coalesce.redis.internal to
      dev.coalesce.buffer,
      dev.coalesce.cache;
  exports dev.coalesce.redis.internal.metrics to
      dev.coalesce.buffer,
      dev.coalesce.cache;

  uses dev.coalesce.redis.internal.KnownSettings;

  provides org.hibernate.integrator.spi.Integrator with
      dev.coalesce.redis.internal.RedisSettingsValidator;
  provides org.hibernate.service.spi.ServiceContributor with
      dev.coalesce.redis.internal.RedisServiceContributor;
  provides dev.coalesce.redis.internal.KnownSettings with
      dev.coalesce.redis.internal.SharedSettings;
}
