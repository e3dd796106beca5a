package dev.kpm.fleet;

import dev.kpm.testing.TestPlugins.Entry;
import java.util.List;

/** Plugins the fleet tests install on several nodes. */
final class FleetFixtures {
  private FleetFixtures() {}

  /**
   * Source plugin {@code picky}, whose install.sh fails ("no room on this node", exit 3) only in a
   * home of node {@code fleet-b} (a folder named {@code fleet-b-home-…}) and succeeds elsewhere.
   */
  static List<Entry> pickyOnlyFailingOnB() {
    return List.of(
        Entry.file("Picky.so", "so"),
        Entry.file("picky.yaml", "a: 1\n"),
        Entry.file(
            "install.sh",
            0100755,
            "#!/bin/sh\n"
                + "case \"$PWD\" in\n"
                + "  */fleet-b-home-*) echo \"no room on this node\"; exit 3;;\n"
                + "esac\n"
                + "echo installed\n"));
  }
}
