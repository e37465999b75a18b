package dev.coalesce.it.modules;

import dev.coalesce.buffer.BufferedCounter;
import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** The entity of {@link ModulePathApp}: cached, with a buffered counter. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class ModuleArticle {

  @Id private Long id;

  @BufferedCounter private long views;

  protected ModuleArticle() {}

  public ModuleArticle(Long id) {
    this.id = id;
  }

  public long getViews() {
    return views;
  }

  public void setViews(long views) {
    this.views = views;
  }
}
