package dev.coalesce.cache;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;

/**
 * Stands for a deserialization gadget: a Serializable class on the classpath that no entity names,
 * whose {@code readObject} would run code. It records whether it ever ran.
 */
public class PlantedGadget implements Serializable {

  @Serial private static final long serialVersionUID = 1L;

  static volatile boolean readObjectRan;

  String command = "touch /tmp/pwned";

  @Serial
  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    readObjectRan = true;
    in.defaultReadObject();
  }
}
