package dev.coalesce.spring.boot.app;

import org.springframework.data.jpa.repository.JpaRepository;

/** A plain repository: no base class, no Coalesce type. */
public interface ArticleRepository extends JpaRepository<Article, Long> {}
