package dev.coalesce.cache.internal;

import java.util.Locale;
import java.util.Map;
import org.hibernate.SessionFactory;
import org.hibernate.SessionFactoryObserver;
import org.hibernate.cfg.SchemaToolingSettings;
import org.jboss.logging.Logger;

/**
 * When Hibernate creates or drops the schema at boot ({@code create}, {@code create-drop}, {@code
 * drop-and-create}, {@code drop}), the tables are new and empty, but the cache in Redis outlives
 * the JVM: without this, a recreated table's ids would be served from the previous run's entries
 * (and {@code persist} of such an id fails as "detached"). So every region of the factory is
 * emptied once the factory is built, and a note says so.
 */
final class SchemaRecreation implements SessionFactoryObserver {

  private static final Logger LOG = Logger.getLogger(SchemaRecreation.class);

  private static final long serialVersionUID = 1L;

  /** Whether {@code settings} make Hibernate drop or create the schema at boot. */
  static boolean recreates(Map<String, Object> settings) {
    return recreating(settings.get(SchemaToolingSettings.HBM2DDL_AUTO))
        || recreating(settings.get(SchemaToolingSettings.JAKARTA_HBM2DDL_DATABASE_ACTION));
  }

  private static boolean recreating(Object action) {
    if (action == null) {
      return false;
    }
    String value = action.toString().trim().toLowerCase(Locale.ROOT);
    return value.contains("create") || value.equals("drop");
  }

  @Override
  public void sessionFactoryCreated(SessionFactory factory) {
    LOG.infof(
        "The schema was created or dropped at boot (%s): emptying this factory's second-level"
            + " cache regions, whose entries describe the old tables",
        SchemaToolingSettings.HBM2DDL_AUTO);
    factory.getCache().evictAllRegions();
  }
}
