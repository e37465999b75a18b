package dev.coalesce.buffer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.hibernate.boot.spi.SessionFactoryOptions;
import org.hibernate.cache.cfg.spi.DomainDataRegionBuildingContext;
import org.hibernate.cache.cfg.spi.DomainDataRegionConfig;
import org.hibernate.cache.spi.support.DomainDataStorageAccess;
import org.hibernate.cache.spi.support.RegionFactoryTemplate;
import org.hibernate.cache.spi.support.StorageAccess;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * The smallest real second-level cache: Hibernate's own region templates and access strategies
 * (READ_WRITE soft locks included) over one map per region.
 */
public class MapRegionFactory extends RegionFactoryTemplate {

  @Override
  protected void prepareForUse(SessionFactoryOptions settings, Map<String, Object> configValues) {}

  @Override
  protected void releaseFromUse() {}

  @Override
  protected DomainDataStorageAccess createDomainDataStorageAccess(
      DomainDataRegionConfig regionConfig, DomainDataRegionBuildingContext buildingContext) {
    return new MapStorage();
  }

  @Override
  protected StorageAccess createQueryResultsRegionStorageAccess(
      String regionName, SessionFactoryImplementor sessionFactory) {
    return new MapStorage();
  }

  @Override
  protected StorageAccess createTimestampsRegionStorageAccess(
      String regionName, SessionFactoryImplementor sessionFactory) {
    return new MapStorage();
  }

  static final class MapStorage implements DomainDataStorageAccess {
    private final Map<Object, Object> entries = new ConcurrentHashMap<>();

    @Override
    public Object getFromCache(Object key, SharedSessionContractImplementor session) {
      return entries.get(key);
    }

    @Override
    public void putIntoCache(Object key, Object value, SharedSessionContractImplementor session) {
      entries.put(key, value);
    }

    @Override
    public boolean contains(Object key) {
      return entries.containsKey(key);
    }

    @Override
    public void evictData() {
      entries.clear();
    }

    @Override
    public void evictData(Object key) {
      entries.remove(key);
    }

    @Override
    public void release() {
      entries.clear();
    }
  }
}
