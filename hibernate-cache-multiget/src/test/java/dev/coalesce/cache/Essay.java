package dev.coalesce.cache;

import jakarta.persistence.Basic;
import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/**
 * Enhanced at test time by {@link BytecodeEnhancementTest} (inline dirty tracking, a lazy
 * attribute), as Hibernate's build-time enhancement would.
 */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Essay implements EssayView {
  @Id Long id;

  String title;

  @Basic(fetch = FetchType.LAZY)
  String body;

  public Essay() {}

  public Essay(Long id, String title, String body) {
    this.id = id;
    this.title = title;
    this.body = body;
  }

  @Override
  public String getTitle() {
    return title;
  }

  @Override
  public void setTitle(String title) {
    this.title = title;
  }

  @Override
  public String getBody() {
    return body;
  }
}
