package dev.coalesce.cache.region;

import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;
import org.hibernate.type.spi.TypeConfiguration;

/**
 * What decoding an entry needs from the SessionFactory that reads it: its type configuration, to
 * rebuild the types of cached query-result metadata as the very instances Hibernate compares them
 * with (by identity).
 */
final class DecodingContext {

  /** Decoding without a factory: entries that need one are undecodable. */
  static final DecodingContext NONE = new DecodingContext(null);

  private final TypeConfiguration types;

  private DecodingContext(TypeConfiguration types) {
    this.types = types;
  }

  static DecodingContext of(SessionFactoryImplementor factory) {
    return new DecodingContext(factory.getTypeConfiguration());
  }

  /** The factory's types, or null without one. */
  TypeConfiguration types() {
    return types;
  }

  /** One context per SessionFactory, built on first use (the mapping model exists by then). */
  static final class PerFactory {
    private volatile SessionFactoryImplementor factory;
    private volatile DecodingContext context;

    DecodingContext of(SharedSessionContractImplementor session) {
      if (session == null) {
        return NONE;
      }
      SessionFactoryImplementor current = session.getFactory();
      DecodingContext known = context;
      if (known != null && factory == current) {
        return known;
      }
      DecodingContext built = DecodingContext.of(current);
      context = built;
      factory = current;
      return built;
    }
  }
}
