package dev.coalesce.cache;

import java.io.Serial;
import java.io.Serializable;
import java.util.Objects;

/** A value of an entity attribute that Hibernate stores as serialized bytes. */
public class Medal implements Serializable {

  @Serial private static final long serialVersionUID = 1L;

  final String metal;

  Medal(String metal) {
    this.metal = metal;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Medal that && Objects.equals(metal, that.metal);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(metal);
  }
}
