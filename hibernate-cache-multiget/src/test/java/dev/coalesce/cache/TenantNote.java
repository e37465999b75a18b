package dev.coalesce.cache;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;
import org.hibernate.annotations.TenantId;

/** A row of one tenant (discriminator multi-tenancy: the tenant is a column). */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class TenantNote {
  @Id Long id;

  @TenantId String tenant;

  String text;

  protected TenantNote() {}

  TenantNote(Long id, String text) {
    this.id = id;
    this.text = text;
  }
}
