package dev.kpm.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The artifact store on a real PostgreSQL: a 50 MiB artifact streamed in and out in 1 MiB chunks,
 * chunks committed while the input is still being read and read only when the reader gets to them;
 * a wrong digest or a failing input stores nothing; an artifact is written once; the garbage
 * collection deletes exactly the unreferenced old artifacts, and only one collector runs at a time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArtifactStoreIT {
  private static final int SMALL_CHUNK = 64 * 1024;
  private FleetDb db;

  @BeforeAll
  void database() {
    db = new FleetDb();
  }

  @AfterAll
  void close() throws Exception {
    db.close();
  }

  // -------------------------------------------------------------------- generated content

  /** {@code size} pseudo-random bytes of {@code seed}, made as they are read (never held whole). */
  static final class Generated extends InputStream {
    private final long size;
    private long state;
    private long position;

    Generated(long seed, long size) {
      this.size = size;
      long mixed = (seed + 1) * 0x9E3779B97F4A7C15L;
      this.state = mixed == 0 ? 1 : mixed;
    }

    long position() {
      return position;
    }

    @Override
    public int read() {
      if (position == size) {
        return -1;
      }
      position++;
      state ^= state << 13;
      state ^= state >>> 7;
      state ^= state << 17;
      return (int) (state & 0xff);
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (position == size) {
        return -1;
      }
      int n = (int) Math.min(len, size - position);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) read();
      }
      return n;
    }
  }

  static String sha256(InputStream in) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buffer = new byte[64 * 1024];
    for (int n; (n = in.read(buffer)) > 0; ) {
      md.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private long chunks(String sha) {
    return db.count("SELECT count(*) FROM artifact_chunk WHERE sha256 = ?", sha);
  }

  private long artifacts(String sha) {
    return db.count("SELECT count(*) FROM artifact WHERE sha256 = ?", sha);
  }

  // -------------------------------------------------------------------- tests

  @Test
  void aFiftyMebibyteArtifactStreamsInAndOutInChunksByteForByte() throws Exception {
    long size = 50L * 1024 * 1024 + 12_345;
    String sha = sha256(new Generated(50, size));
    ArtifactStore store = new ArtifactStore(db.tx);
    int chunk = ArtifactStore.DEFAULT_CHUNK_BYTES;
    // When the put reads the first byte of chunk 3, chunks 0–2 must be committed already: it
    // writes as it reads instead of gathering the file.
    AtomicLong committedWhenChunk3WasRead = new AtomicLong(-1);
    Generated source = new Generated(50, size);
    InputStream watched =
        new InputStream() {
          @Override
          public int read() {
            throw new AssertionError("reads in blocks");
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (source.position() == 3L * chunk) {
              committedWhenChunk3WasRead.set(chunks(sha));
            }
            // Never across a chunk border, so the check above sees the exact border.
            long toBorder = chunk - source.position() % chunk;
            return source.read(b, off, (int) Math.min(len, toBorder));
          }
        };
    long started = System.nanoTime();
    ArtifactStore.Stored stored = store.put(sha, watched);
    long putMillis = (System.nanoTime() - started) / 1_000_000;
    assertEquals(3, committedWhenChunk3WasRead.get(), "chunks committed while still reading");
    assertEquals(new ArtifactStore.Stored(sha, size, chunk, 51, true), stored);
    assertEquals(51, chunks(sha));
    assertEquals(
        1,
        db.count(
            "SELECT count(*) FROM artifact WHERE sha256 = ? AND complete AND size = "
                + size
                + " AND writer IS NULL",
            sha));
    assertEquals(
        chunk,
        db.count("SELECT max(octet_length(data)) FROM artifact_chunk WHERE sha256 = ?", sha));
    started = System.nanoTime();
    try (InputStream in = store.open(sha);
        InputStream expected = new Generated(50, size)) {
      byte[] a = new byte[100_000];
      byte[] b = new byte[100_000];
      long compared = 0;
      while (true) {
        int n = in.readNBytes(a, 0, a.length);
        int m = expected.readNBytes(b, 0, n == 0 ? b.length : n);
        assertEquals(m, n, "lengths differ after " + compared + " bytes");
        if (n == 0) {
          break;
        }
        for (int i = 0; i < n; i++) {
          if (a[i] != b[i]) {
            throw new AssertionError("byte " + (compared + i) + " differs");
          }
        }
        compared += n;
      }
      assertEquals(size, compared);
    }
    long readMillis = (System.nanoTime() - started) / 1_000_000;
    System.out.println(
        "ArtifactStoreIT: 50 MiB put in " + putMillis + " ms, read back in " + readMillis + " ms");
  }

  @Test
  void readsFetchOneChunkWhenTheReaderGetsToIt() throws Exception {
    long size = 1_000_000;
    String sha = sha256(new Generated(7, size));
    ArtifactStore store = new ArtifactStore(db.tx, SMALL_CHUNK);
    assertEquals(16, store.put(sha, new Generated(7, size)).chunks());
    try (InputStream in = store.open(sha)) {
      assertEquals(100, in.readNBytes(100).length);
      // Chunk 5 goes after the stream was opened and began: it has not been read yet, so the
      // reader gets chunks 0–4 whole, then the error, at exactly that border.
      db.sql("DELETE FROM artifact_chunk WHERE sha256 = '" + sha + "' AND seq = 5");
      long read = 100;
      byte[] buffer = new byte[4096];
      ArtifactException e = null;
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          read += n;
        }
      } catch (ArtifactException missing) {
        e = missing;
      }
      assertTrue(e != null, "the missing chunk was noticed");
      assertEquals(ArtifactException.Kind.CORRUPT, e.kind());
      assertEquals(5L * SMALL_CHUNK, read);
      assertTrue(e.getMessage().contains("chunk 5 of 16 is missing"), e.getMessage());
    }
    ArtifactException notFound =
        assertThrows(ArtifactException.class, () -> store.open("0".repeat(64)));
    assertEquals(ArtifactException.Kind.NOT_FOUND, notFound.kind());
  }

  @Test
  void aChunkChangedInTheDatabaseIsCaughtAtTheEndOfTheStreamWithTheDigestItReadsAs()
      throws Exception {
    long size = 200_000;
    String sha = sha256(new Generated(11, size));
    ArtifactStore store = new ArtifactStore(db.tx, SMALL_CHUNK);
    store.put(sha, new Generated(11, size));
    // Same length, one byte flipped: only the digest can tell (an apply copies the stream as is).
    db.sql(
        "UPDATE artifact_chunk SET data = set_byte(data, 7, 255 - get_byte(data, 7))"
            + " WHERE sha256 = '"
            + sha
            + "' AND seq = 1");
    try (InputStream in = store.open(sha)) {
      ArtifactException e =
          assertThrows(
              ArtifactException.class, () -> in.transferTo(OutputStream.nullOutputStream()));
      assertEquals(ArtifactException.Kind.CORRUPT, e.kind());
      assertTrue(e.getMessage().contains("bytes of sha256 "), e.getMessage());
      assertFalse(e.getMessage().endsWith(sha), e.getMessage());
    }
  }

  @Test
  void aWrongDigestOrAFailingInputStoresNothing() throws Exception {
    ArtifactStore store = new ArtifactStore(db.tx, SMALL_CHUNK);
    String claimed = sha256(new Generated(1, 300_000));
    ArtifactException e =
        assertThrows(ArtifactException.class, () -> store.put(claimed, new Generated(2, 300_000)));
    assertEquals(ArtifactException.Kind.MISMATCH, e.kind());
    assertEquals(
        "artifact sha256 mismatch: expected "
            + claimed
            + ", got "
            + sha256(new Generated(2, 300_000)),
        e.getMessage());
    assertEquals(0, artifacts(claimed));
    assertEquals(0, chunks(claimed));

    Generated some = new Generated(1, 300_000);
    InputStream failing =
        new InputStream() {
          @Override
          public int read() throws IOException {
            if (some.position() >= 200_000) {
              throw new IOException("connection reset");
            }
            return some.read();
          }
        };
    IOException io = assertThrows(IOException.class, () -> store.put(claimed, failing));
    assertEquals("connection reset", io.getMessage());
    assertEquals(0, artifacts(claimed));
    assertEquals(0, chunks(claimed));
    assertThrows(IllegalArgumentException.class, () -> store.put("abc", new Generated(1, 1)));
  }

  @Test
  void anArtifactIsWrittenOnceAndAnEmptyOneIsAnArtifactToo() throws Exception {
    ArtifactStore store = new ArtifactStore(db.tx, SMALL_CHUNK);
    String sha = sha256(new Generated(3, 200_000));
    ArtifactStore.Stored first = store.put(sha, new Generated(3, 200_000));
    assertTrue(first.written());
    db.sql("UPDATE artifact SET stored_at = now() - interval '1 day' WHERE sha256 = '" + sha + "'");
    InputStream untouched =
        new InputStream() {
          @Override
          public int read() {
            throw new AssertionError("an artifact already stored is not read again");
          }
        };
    ArtifactStore.Stored again = store.put(sha.toUpperCase(java.util.Locale.ROOT), untouched);
    assertEquals(new ArtifactStore.Stored(sha, 200_000, SMALL_CHUNK, 4, false), again);
    assertEquals(4, chunks(sha));
    assertEquals(
        1,
        db.count(
            "SELECT count(*) FROM artifact WHERE sha256 = ? AND stored_at > now() - interval '1"
                + " hour'",
            sha),
        "found again: as young to the garbage collection as a new one");

    String empty = sha256(InputStream.nullInputStream());
    assertEquals(
        new ArtifactStore.Stored(empty, 0, SMALL_CHUNK, 0, true),
        store.put(empty, InputStream.nullInputStream()));
    assertEquals(0, store.open(empty).readAllBytes().length);
  }

  @Test
  void aSecondPutOfAnArtifactBeingStoredIsBusyAndTheFirstCompletes() throws Exception {
    ArtifactStore store = new ArtifactStore(db.tx, SMALL_CHUNK);
    long size = 5L * SMALL_CHUNK;
    String sha = sha256(new Generated(11, size));
    CountDownLatch firstChunkRead = new CountDownLatch(1);
    CountDownLatch goOn = new CountDownLatch(1);
    Generated source = new Generated(11, size);
    InputStream paused =
        new InputStream() {
          @Override
          public int read() {
            throw new AssertionError("reads in blocks");
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (source.position() == SMALL_CHUNK) {
              firstChunkRead.countDown();
              try {
                assertTrue(goOn.await(60, TimeUnit.SECONDS));
              } catch (InterruptedException e) {
                throw new IOException(e);
              }
            }
            return source.read(b, off, (int) Math.min(len, SMALL_CHUNK));
          }
        };
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      Future<ArtifactStore.Stored> first = thread.submit(() -> store.put(sha, paused));
      assertTrue(firstChunkRead.await(60, TimeUnit.SECONDS));
      ArtifactException busy =
          assertThrows(ArtifactException.class, () -> store.put(sha, new Generated(11, size)));
      assertEquals(ArtifactException.Kind.BUSY, busy.kind());
      goOn.countDown();
      assertTrue(first.get(60, TimeUnit.SECONDS).written());
      assertEquals(5, chunks(sha));
      assertFalse(store.put(sha, new Generated(11, size)).written());
    } finally {
      goOn.countDown();
      thread.shutdownNow();
    }
  }

  @Test
  void aLapsedClaimIsTakenOverAndItsChunksReplaced() throws Exception {
    ArtifactStore store = new ArtifactStore(db.tx, SMALL_CHUNK);
    String sha = sha256(new Generated(13, 100_000));
    // What a node killed during its put leaves: an incomplete artifact, a stale claim, junk.
    db.sql(
        "INSERT INTO artifact (sha256, chunk_size, complete, writer, stored_at) VALUES ('"
            + sha
            + "', 1000, false, gen_random_uuid(), now() - interval '1 hour')",
        "INSERT INTO artifact_chunk (sha256, seq, data) SELECT '"
            + sha
            + "', g, '\\x00'::bytea FROM generate_series(0, 9) g");
    assertTrue(store.put(sha, new Generated(13, 100_000)).written());
    assertEquals(2, chunks(sha));
    assertEquals(sha, sha256(store.open(sha)));
  }

  @Test
  void theGarbageCollectionDeletesOnlyUnreferencedOldArtifacts() throws Exception {
    ArtifactStore store = new ArtifactStore(db.tx, SMALL_CHUNK);
    List<String> sha = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String s = sha256(new Generated(100 + i, 70_000));
      store.put(s, new Generated(100 + i, 70_000));
      sha.add(s);
    }
    String byPlugin = sha.get(0);
    String unreferenced = sha.get(1);
    String young = sha.get(2);
    String byNode = sha.get(3);
    String lapsed = sha.get(4);
    String incompleteYoungClaim = sha.get(5);
    db.sql(
        "UPDATE artifact SET stored_at = now() - interval '1 hour' WHERE sha256 IN ('"
            + String.join("','", byPlugin, unreferenced, byNode, lapsed, incompleteYoungClaim)
            + "')",
        "UPDATE artifact SET complete = false, size = NULL, writer = gen_random_uuid()"
            + " WHERE sha256 = '"
            + lapsed
            + "'",
        // An incomplete artifact older than the grace whose put still writes (its claim is
        // younger than the lease) stays; the grace here is shorter than the lease.
        "UPDATE artifact SET complete = false, size = NULL, writer = gen_random_uuid(),"
            + " stored_at = now() - interval '90 seconds' WHERE sha256 = '"
            + incompleteYoungClaim
            + "'",
        "INSERT INTO plugin (type, name, state, sha256) VALUES ('sources', 'gc', 'INSTALLED', '"
            + byPlugin
            + "')",
        "INSERT INTO fleet_node (node_id, address, kpm_version, os, arch, home, started_at,"
            + " heartbeat_at) VALUES ('gc-node', 'gc', '1', 'Linux', 'amd64', '/h', now(), now())",
        "INSERT INTO node_plugin (node_id, plugin_type, name, state, sha256) VALUES ('gc-node',"
            + " 'sinks', 'gc', 'applied', '"
            + byNode
            + "')");
    ArtifactStore.Collected collected = store.collectGarbage(Duration.ofMinutes(1));
    assertTrue(collected.ran());
    assertEquals(Set.of(unreferenced, lapsed), Set.copyOf(collected.deleted()));
    for (String gone : List.of(unreferenced, lapsed)) {
      assertEquals(0, artifacts(gone));
      assertEquals(0, chunks(gone), "chunks cascade");
    }
    for (String kept : List.of(byPlugin, young, byNode, incompleteYoungClaim)) {
      assertEquals(1, artifacts(kept), kept);
    }
    db.sql("DELETE FROM plugin WHERE name = 'gc'", "DELETE FROM fleet_node");
    assertEquals(
        Set.of(byPlugin, byNode),
        Set.copyOf(store.collectGarbage(Duration.ofMinutes(1)).deleted()),
        "unreferenced now");
  }

  @Test
  void onlyOneNodeCollectsAtATime() throws Exception {
    ArtifactStore store = new ArtifactStore(db.tx, SMALL_CHUNK);
    Set<String> garbage = new TreeSet<>();
    for (int i = 0; i < 40; i++) {
      String s = sha256(new Generated(1000 + i, 1000));
      store.put(s, new Generated(1000 + i, 1000));
      garbage.add(s);
    }
    db.sql(
        "UPDATE artifact SET stored_at = now() - interval '1 hour' WHERE sha256 IN ('"
            + String.join("','", garbage)
            + "')");
    // Another node is collecting: it holds the lock.
    try (Connection other = db.connect()) {
      try (PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_lock(?)")) {
        lock.setLong(1, ArtifactStore.GC_LOCK);
        lock.executeQuery().close();
      }
      ArtifactStore.Collected skipped = store.collectGarbage(Duration.ofMinutes(1));
      assertEquals(new ArtifactStore.Collected(false, List.of()), skipped);
      assertEquals(
          40,
          db.count(
              "SELECT count(*) FROM artifact WHERE sha256 IN ('"
                  + String.join("','", garbage)
                  + "')"));
      // Released before the two collectors start: closing the connection would release it too,
      // but only once its backend has noticed, after close() returned.
      try (PreparedStatement unlock = other.prepareStatement("SELECT pg_advisory_unlock(?)")) {
        unlock.setLong(1, ArtifactStore.GC_LOCK);
        try (var rs = unlock.executeQuery()) {
          rs.next();
          assertTrue(rs.getBoolean(1), "the other node held the lock");
        }
      }
    }
    // Two collectors at once: each artifact is deleted by exactly one of them.
    ExecutorService two = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<ArtifactStore.Collected>> runs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        runs.add(
            two.submit(
                () -> {
                  start.await();
                  return store.collectGarbage(Duration.ofMinutes(1));
                }));
      }
      start.countDown();
      List<String> deleted = new ArrayList<>();
      for (Future<ArtifactStore.Collected> run : runs) {
        deleted.addAll(run.get(60, TimeUnit.SECONDS).deleted());
      }
      assertEquals(deleted.size(), new HashSet<>(deleted).size(), "none deleted twice");
      assertTrue(deleted.containsAll(garbage), "all collected");
    } finally {
      two.shutdownNow();
    }
  }
}
