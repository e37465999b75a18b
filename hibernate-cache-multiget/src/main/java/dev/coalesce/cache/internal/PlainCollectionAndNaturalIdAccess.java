package dev.coalesce.cache.internal;

import org.hibernate.cache.cfg.spi.CollectionDataCachingConfig;
import org.hibernate.cache.cfg.spi.NaturalIdDataCachingConfig;
import org.hibernate.cache.spi.CacheKeysFactory;
import org.hibernate.cache.spi.DomainDataRegion;
import org.hibernate.cache.spi.support.CollectionNonStrictReadWriteAccess;
import org.hibernate.cache.spi.support.CollectionReadOnlyAccess;
import org.hibernate.cache.spi.support.NaturalIdNonStrictReadWriteAccess;
import org.hibernate.cache.spi.support.NaturalIdReadOnlyAccess;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * Hibernate's READ_ONLY and NONSTRICT_READ_WRITE collection and natural-id access over {@link
 * RegionStorage}, whose put-from-load says whether the value was stored: Hibernate's own says true
 * whatever happened, and the store adds a loaded value only where no entry is.
 */
final class PlainCollectionAndNaturalIdAccess {

  private PlainCollectionAndNaturalIdAccess() {}

  static final class NonstrictCollection extends CollectionNonStrictReadWriteAccess {
    private final RegionStorage storage;
    private final PutStatistic putStatistic;

    NonstrictCollection(
        DomainDataRegion region,
        CacheKeysFactory keys,
        RegionStorage storage,
        CollectionDataCachingConfig config) {
      super(region, keys, storage, config);
      this.storage = storage;
      this.putStatistic = PutStatistic.collection(config.getNavigableRole(), region.getName());
    }

    @Override
    public boolean putFromLoad(
        SharedSessionContractImplementor session, Object key, Object value, Object version) {
      return storage.putFromLoad(key, value, session, putStatistic);
    }
  }

  static final class ReadOnlyCollection extends CollectionReadOnlyAccess {
    private final RegionStorage storage;
    private final PutStatistic putStatistic;

    ReadOnlyCollection(
        DomainDataRegion region,
        CacheKeysFactory keys,
        RegionStorage storage,
        CollectionDataCachingConfig config) {
      super(region, keys, storage, config);
      this.storage = storage;
      this.putStatistic = PutStatistic.collection(config.getNavigableRole(), region.getName());
    }

    @Override
    public boolean putFromLoad(
        SharedSessionContractImplementor session, Object key, Object value, Object version) {
      return storage.putFromLoad(key, value, session, putStatistic);
    }
  }

  static final class NonstrictNaturalId extends NaturalIdNonStrictReadWriteAccess {
    private final RegionStorage storage;
    private final PutStatistic putStatistic;

    NonstrictNaturalId(
        DomainDataRegion region,
        CacheKeysFactory keys,
        RegionStorage storage,
        NaturalIdDataCachingConfig config) {
      super(region, keys, storage, config);
      this.storage = storage;
      this.putStatistic = PutStatistic.naturalId(config.getNavigableRole(), region.getName());
    }

    @Override
    public boolean putFromLoad(
        SharedSessionContractImplementor session, Object key, Object value, Object version) {
      return storage.putFromLoad(key, value, session, putStatistic);
    }
  }

  static final class ReadOnlyNaturalId extends NaturalIdReadOnlyAccess {
    private final RegionStorage storage;
    private final PutStatistic putStatistic;

    ReadOnlyNaturalId(
        DomainDataRegion region,
        CacheKeysFactory keys,
        RegionStorage storage,
        NaturalIdDataCachingConfig config) {
      super(region, keys, storage, config);
      this.storage = storage;
      this.putStatistic = PutStatistic.naturalId(config.getNavigableRole(), region.getName());
    }

    @Override
    public boolean putFromLoad(
        SharedSessionContractImplementor session, Object key, Object value, Object version) {
      return storage.putFromLoad(key, value, session, putStatistic);
    }
  }
}
