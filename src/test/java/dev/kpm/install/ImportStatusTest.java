package dev.kpm.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.fleet.FleetNodes;
import dev.kpm.testing.FakeServices;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The fleet-wide import status of {@link DataTransfer} when the database does not take it (read
 * only after a fail-over, full, away): the import is not failed by it, the node answers its own
 * status meanwhile, and records it once it can — with the time the import ended, so a newer status
 * of another node is not replaced.
 */
class ImportStatusTest {
  /** A fleet whose status store fails while {@link #down} is set. */
  private static final class Store {
    boolean down;
    String status;
    final List<Instant> writes = new ArrayList<>();

    FleetNodes fleet() {
      return (FleetNodes)
          Proxy.newProxyInstance(
              FleetNodes.class.getClassLoader(),
              new Class<?>[] {FleetNodes.class},
              (proxy, method, args) -> {
                if (down) {
                  // Not an outage: a database that answers but takes no write (after a fail-over).
                  throw new jakarta.persistence.PersistenceException(
                      "ERROR: cannot execute INSERT in a read-only transaction");
                }
                switch (method.getName()) {
                  case "importStatus":
                    return Optional.ofNullable(status);
                  case "recordImportStatus":
                    status = (String) args[0];
                    writes.add((Instant) args[1]);
                    return null;
                  default:
                    throw new UnsupportedOperationException(method.getName());
                }
              });
    }
  }

  private static final String BAD = "{\"nativePlugins\":{\"sources_x\":\"not a create body\"}}";

  @Test
  void aStatusTheDatabaseCannotTakeFailsNoImportAndIsRecordedOnceItCan() {
    FakeServices fakes = new FakeServices();
    Store store = new Store();
    store.status = "{\"older\":\"another node's\"}";
    DataTransfer data = new DataTransfer(fakes, fakes, fakes, store.fleet());

    store.down = true;
    DataTransfer.Result r = data.importRuleset(BAD, true, action -> null);
    assertFalse(r.ok(), r.summary());
    String own = data.status();
    assertTrue(own.contains("sources_x"), "the node answers its own import meanwhile: " + own);
    assertEquals("{\"older\":\"another node's\"}", store.status, "nothing written while down");

    store.down = false;
    assertEquals(own, data.status(), "the own, newer status, now recorded for the fleet");
    assertEquals(own, store.status);
    assertEquals(1, store.writes.size());

    store.status = "{\"newer\":\"another node's\"}";
    assertEquals(store.status, data.status(), "then the fleet's newest, as any node's");
    assertEquals(1, store.writes.size(), "recorded once");
  }
}
