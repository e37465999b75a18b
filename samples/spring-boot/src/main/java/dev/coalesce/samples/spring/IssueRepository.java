package dev.coalesce.samples.spring;

import org.springframework.data.jpa.repository.JpaRepository;

/** A plain Spring Data repository: nothing here knows about Coalesce. */
public interface IssueRepository extends JpaRepository<Issue, Long> {}
