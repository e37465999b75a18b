package dev.coalesce.samples.spring;

import org.springframework.data.jpa.repository.JpaRepository;

/** A plain Spring Data repository. */
public interface ProjectRepository extends JpaRepository<Project, Long> {}
