/**
 * Model: which attributes are counters, validated at boot, and where their tables and columns are
 * in Hibernate's mapping model.
 *
 * <p>Internal to hibernate-buffer: not API, may change in any release. The API is {@link
 * dev.coalesce.buffer}.
 */
package dev.coalesce.buffer.internal.model;
