package dev.coalesce.redis.internal;

/**
 * Addresses as logs and error messages show them, without secrets: the password of a URL's
 * user-info part ({@code redis://user:secret@host} becomes {@code redis://user:***@host}) and the
 * value of a {@code password=} query parameter, as JDBC URLs may carry one. For the Coalesce
 * modules.
 */
public final class Credentials {

  private Credentials() {}

  public static String masked(String address) {
    return address
        .replaceFirst("(//[^:/@]*:)[^@/]*@", "$1***@")
        .replaceAll("(?i)([?&;]password=)[^&;]*", "$1***");
  }
}
