package dev.coalesce.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class real services: declare a {@link TestDatabase} or {@link TestRedis} parameter
 * on a constructor, a {@code @BeforeAll}, {@code @Test} or {@code @AfterAll} method.
 *
 * <p>Each service is found in this order: the environment ({@code COALESCE_TEST_JDBC_URL} with
 * {@code _USER} and {@code _PASSWORD}; {@code COALESCE_TEST_REDIS_URL}); the services this machine
 * runs (PostgreSQL on 127.0.0.1:5432, user {@code postgres}, database {@code test}; Redis on
 * 127.0.0.1:6379); Testcontainers ({@code postgres:16}, {@code redis:7}) when Docker runs. If none
 * answers, the test fails with a message naming the three ways; it is never skipped.
 *
 * <p>Each test class gets its own PostgreSQL schema and its own Redis key namespace, both removed
 * after the class, so classes run in any order and leave nothing behind.
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RealServicesExtension.class)
public @interface RealServices {}
