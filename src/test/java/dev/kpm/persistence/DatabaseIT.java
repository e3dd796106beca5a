package dev.kpm.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kpm.testing.TestDatabase;
import java.sql.Connection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** kpm's own connection pool against a real PostgreSQL. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DatabaseIT {

  @Test
  void closeReturnsOnlyAfterEveryPoolThreadHasExited() throws Exception {
    TestDatabase.Coordinates coordinates = TestDatabase.fresh();
    // Several rounds: without the wait, a pool thread sometimes outlives close() by a moment.
    for (int round = 0; round < 5; round++) {
      Database db =
          Database.open(
              Optional.of(coordinates.url()),
              coordinates.user(),
              coordinates.password(),
              2,
              TestDatabase.TIMEOUTS);
      try (Connection connection = db.dataSource().getConnection()) {
        connection.createStatement().execute("SELECT 1");
      }
      db.close();
      assertEquals(List.of(), livePoolThreads(), "pool threads alive after close()");
    }
  }

  private static List<String> livePoolThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("kpm-db"))
        .toList();
  }
}
