package dev.coalesce.buffer;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an integral entity attribute ({@code int}, {@code long}, {@code short} or their wrappers)
 * as a buffered counter.
 *
 * <p>Changes to the attribute are never written by Hibernate's own UPDATE. Instead, the difference
 * between the value at commit and the value that was loaded is buffered (in Redis or in this JVM)
 * and applied later, for all increments of a row at once, as {@code UPDATE t SET c = c + ? WHERE id
 * = ?}. A change to only counters issues no SQL at all and does not bump {@code @Version}.
 *
 * <p>The attribute's value in an entity is what was loaded plus this transaction's own changes;
 * increments committed elsewhere show after they are flushed and the entity is loaded again. A null
 * wrapper counts as 0. {@code persist} inserts the value it is given, without buffering it.
 *
 * <p>Allowed on a basic attribute of an entity or of its {@code @MappedSuperclass}; not on the
 * {@code @Id}, the {@code @Version}, or an attribute of an {@code @Embeddable}. Entities with an
 * {@code @EmbeddedId} or {@code @IdClass} are refused at boot. A refused attribute fails the
 * SessionFactory's boot with a message naming {@code Entity.attribute}, its type and what is
 * allowed.
 */
@Target({ElementType.FIELD, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface BufferedCounter {}
