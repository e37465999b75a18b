package dev.coalesce.cache;

import jakarta.persistence.Cacheable;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Version;
import java.util.HashSet;
import java.util.Set;
import org.hibernate.annotations.BatchSize;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Post {
  @Id Long id;

  String title;

  @Version int version;

  @ManyToOne(fetch = FetchType.LAZY)
  Author author;

  @ElementCollection
  @Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
  @BatchSize(size = 16)
  Set<String> tags = new HashSet<>();

  protected Post() {}

  Post(Long id, String title) {
    this.id = id;
    this.title = title;
  }

  public Long getId() {
    return id;
  }

  public String getTitle() {
    return title;
  }

  public void setTitle(String title) {
    this.title = title;
  }

  public Author getAuthor() {
    return author;
  }

  public Set<String> getTags() {
    return tags;
  }
}
