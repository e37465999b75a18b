package dev.coalesce.redis;

import org.hibernate.HibernateException;

/**
 * Thrown at boot when a Coalesce setting or mapping is invalid. The message names the setting (or
 * entity attribute), the value found and what is allowed.
 */
public class CoalesceConfigurationException extends HibernateException {

  private static final long serialVersionUID = 1L;

  public CoalesceConfigurationException(String message) {
    super(message);
  }

  public CoalesceConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
