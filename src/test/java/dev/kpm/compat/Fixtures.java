package dev.kpm.compat;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.kpm.testing.GoFixtures;

/** Reads the Go fixtures, failing the test when one cannot be read. */
final class Fixtures {
  private Fixtures() {}

  static GoBinary binary(String name) {
    Reading r = GoBinaries.read(GoFixtures.get(name));
    return assertInstanceOf(Reading.Read.class, r, () -> name + ": " + r).binary();
  }
}
