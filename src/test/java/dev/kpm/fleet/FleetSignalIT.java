package dev.kpm.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.plugin.PluginType;
import dev.kpm.testing.Await;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The fleet's change signal on a real PostgreSQL: another node's notification is heard, this node's
 * own is not, a reconcile request reaches only the node it names; when the listening connection is
 * killed under it, the signal opens a new one and catches up at once (notifications sent meanwhile
 * are lost, so it converges on reconnecting), and hears the next notification; the backstop tick
 * keeps its pace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FleetSignalIT {
  private FleetDb db;
  private final List<String> heard = new CopyOnWriteArrayList<>();
  private final AtomicInteger ticks = new AtomicInteger();
  private final AtomicInteger opened = new AtomicInteger();
  private FleetSignal signal;

  @BeforeAll
  void listen() {
    db = new FleetDb();
    signal =
        FleetSignal.start(
            () -> {
              opened.incrementAndGet();
              Connection c = db.connect();
              try (Statement st = c.createStatement()) {
                st.execute("SET application_name = 'kpm-signal-under-test'");
              }
              return c;
            },
            "self",
            Duration.ofMillis(300),
            new FleetSignal.Listener() {
              @Override
              public void changed(boolean retry) {
                heard.add(retry ? "retry" : "changed");
              }

              @Override
              public void tick() {
                ticks.incrementAndGet();
              }

              @Override
              public void notice(FleetLedger.Notice notice) {
                heard.add("notice " + notice.payload().replace('\n', ' '));
              }
            });
    Await.until("the first connection caught up", Await.LONG, () -> heard.contains("changed"));
  }

  @AfterAll
  void stop() throws Exception {
    signal.close();
    db.close();
  }

  private void notify(String payload) throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      st.execute("SELECT pg_notify('" + FleetLedger.CHANNEL + "', '" + payload + "')");
    }
  }

  @Test
  void anotherNodesChangeIsHeardItsOwnIsNotAndAReconcileOnlyByItsNode() throws Exception {
    heard.clear();
    notify("self:41");
    notify(FleetLedger.RECONCILE + "other-node");
    notify("other:42");
    Await.until("the other node's change", Await.LONG, () -> heard.contains("changed"));
    notify(FleetLedger.RECONCILE + "self");
    Await.until("the reconcile request", Await.LONG, () -> heard.contains("retry"));
    assertEquals(List.of("changed", "retry"), List.copyOf(heard));
  }

  @Test
  void anotherNodesStoredAndDroppedNoticesAreHeardAsNoticesNotChangesAndItsOwnAreNot()
      throws Exception {
    heard.clear();
    String sha = "ab".repeat(32);
    String own = new FleetLedger.Notice(true, PluginType.SINKS, sha, "self", "big").payload();
    String stored = new FleetLedger.Notice(true, PluginType.SOURCES, sha, "other", "big").payload();
    String dropped =
        new FleetLedger.Notice(false, PluginType.SOURCES, sha, "other", "big").payload();
    for (String payload : List.of(own, stored, dropped)) {
      try (Connection c = db.connect();
          java.sql.PreparedStatement st = c.prepareStatement("SELECT pg_notify(?, ?)")) {
        st.setString(1, FleetLedger.CHANNEL);
        st.setString(2, payload);
        st.executeQuery().close();
      }
    }
    Await.until("both notices", Await.LONG, () -> heard.size() >= 2);
    assertEquals(
        List.of(
            "notice stored sources " + sha + " other big",
            "notice dropped sources " + sha + " other big"),
        List.copyOf(heard));
  }

  @Test
  void aKilledListeningConnectionIsOpenedAgainCaughtUpAndHearsTheNextChange() throws Exception {
    int before = opened.get();
    heard.clear();
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
              + " WHERE application_name = 'kpm-signal-under-test'");
    }
    Await.until("a new connection", Await.LONG, () -> opened.get() > before);
    Await.until("caught up after reconnecting", Await.LONG, () -> heard.contains("changed"));
    heard.clear();
    Await.until(
        "listening again",
        Await.LONG,
        () -> {
          try {
            notify("other:43");
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
          return Await.poll(Duration.ofMillis(500), () -> heard.contains("changed"));
        });
    int now = ticks.get();
    Await.until("the backstop ticks on", Await.LONG, () -> ticks.get() >= now + 2);
    assertTrue(opened.get() >= before + 1);
  }
}
