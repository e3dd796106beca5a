package dev.kpm.fleet;

import dev.kpm.persistence.Transactions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.hibernate.Session;

/**
 * Plugin archives in PostgreSQL, content-addressed by SHA-256, in chunks of {@code bytea} ({@code
 * artifact}, {@code artifact_chunk}; docs/architecture.md "Fleet" says why not large objects).
 *
 * <p>{@link #put} streams: it holds one chunk in memory, writes each chunk in its own short
 * transaction (one statement, well inside {@code kpm.db.statementTimeout}), hashes while it reads,
 * and marks the artifact complete only when the digest matches — a mismatch, a failed read or a
 * database error deletes what it wrote, so nothing is stored. An artifact already complete is not
 * written again. While incomplete, an artifact belongs to the put that claimed it; a claim lapses
 * when its put has written nothing for {@link #LEASE} (a crashed node), and another put may then
 * take it over.
 *
 * <p>{@link #open} reads one chunk per short transaction, as its reader asks for it, and checks the
 * length and digest at the end. {@link #collectGarbage} deletes artifacts no plugin row refers to;
 * one node at a time (a transaction-scoped advisory lock, tried, never waited for).
 */
public final class ArtifactStore {
  private static final Logger LOG = Logger.getLogger(ArtifactStore.class.getName());

  /** The chunk size of new artifacts unless given: 1 MiB. */
  public static final int DEFAULT_CHUNK_BYTES = 1 << 20;

  /** An incomplete artifact whose put wrote nothing for this long may be taken over. */
  public static final Duration LEASE = Duration.ofMinutes(2);

  /** The garbage collection's advisory lock: "kpmartgc" as a number, the same on every node. */
  public static final long GC_LOCK = 0x6b706d6172746763L;

  /** Artifacts one garbage-collection transaction deletes at most. */
  static final int GC_BATCH = 16;

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final Transactions tx;
  private final int chunkBytes;

  public ArtifactStore(Transactions tx) {
    this(tx, DEFAULT_CHUNK_BYTES);
  }

  /** A store writing new artifacts in chunks of {@code chunkBytes}. */
  public ArtifactStore(Transactions tx, int chunkBytes) {
    if (chunkBytes <= 0) {
      throw new IllegalArgumentException("chunk size must be positive: " + chunkBytes);
    }
    this.tx = tx;
    this.chunkBytes = chunkBytes;
  }

  /**
   * A complete artifact.
   *
   * @param written whether this put wrote it (false: it was stored already)
   */
  public record Stored(String sha256, long size, int chunkSize, int chunks, boolean written) {}

  /**
   * What a garbage collection did.
   *
   * @param ran false when another node was collecting (nothing was deleted)
   * @param deleted the digests of the artifacts deleted
   */
  public record Collected(boolean ran, List<String> deleted) {}

  /**
   * Stores the bytes of {@code in} under {@code sha256}, unless a complete artifact has that digest
   * already (then {@code in} is not read). Does not close {@code in}.
   *
   * @throws ArtifactException MISMATCH when the bytes have another digest, BUSY when another put
   *     stores the same artifact now, CLAIM_LOST when this one was too slow and was taken over
   * @throws IOException when {@code in} fails
   */
  public Stored put(String sha256, InputStream in) throws IOException {
    String sha = digest(sha256);
    Optional<Stored> existing = touch(sha);
    if (existing.isPresent()) {
      return existing.get();
    }
    UUID writer = UUID.randomUUID();
    if (!claim(sha, writer)) {
      Optional<Stored> now = touch(sha);
      if (now.isPresent()) {
        return now.get();
      }
      throw new ArtifactException(
          ArtifactException.Kind.BUSY,
          "artifact " + sha + " is being stored by another put; try again later");
    }
    boolean done = false;
    try {
      MessageDigest md = sha256();
      byte[] buffer = new byte[chunkBytes];
      long size = 0;
      int seq = 0;
      while (true) {
        int n = in.readNBytes(buffer, 0, chunkBytes);
        if (n == 0) {
          break;
        }
        md.update(buffer, 0, n);
        writeChunk(sha, writer, seq, buffer, n);
        size += n;
        seq++;
        if (n < chunkBytes) {
          break;
        }
      }
      String actual = HexFormat.of().formatHex(md.digest());
      if (!actual.equals(sha)) {
        throw new ArtifactException(
            ArtifactException.Kind.MISMATCH,
            "artifact sha256 mismatch: expected " + sha + ", got " + actual);
      }
      complete(sha, writer, size);
      done = true;
      return new Stored(sha, size, chunkBytes, seq, true);
    } finally {
      if (!done) {
        discard(sha, writer);
      }
    }
  }

  /**
   * The complete artifact of this digest, its {@code stored_at} renewed: a put that finds it stored
   * already is as young to the garbage collection as one that wrote it.
   */
  private Optional<Stored> touch(String sha) {
    return work(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE artifact SET stored_at = now() WHERE sha256 = ? AND complete"
                      + " RETURNING size, chunk_size")) {
            s.setString(1, sha);
            try (ResultSet rs = s.executeQuery()) {
              if (!rs.next()) {
                return Optional.empty();
              }
              long size = rs.getLong(1);
              int chunk = rs.getInt(2);
              return Optional.of(new Stored(sha, size, chunk, chunks(size, chunk), false));
            }
          }
        });
  }

  /**
   * Tells every node now, in a short transaction of its own (not at a change's commit), {@code
   * notice}: a large archive is stored and may be staged ahead, or its change ended without a
   * commit.
   */
  public void announce(FleetLedger.Notice notice) {
    work(
        c -> {
          FleetLedger.notify(c, notice.payload());
          return null;
        });
  }

  /** The complete artifact of this digest, if stored. */
  public Optional<Stored> find(String sha256) {
    String sha = digestOrNull(sha256);
    if (sha == null) {
      return Optional.empty();
    }
    return work(
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT size, chunk_size FROM artifact WHERE sha256 = ? AND complete")) {
            s.setString(1, sha);
            try (ResultSet rs = s.executeQuery()) {
              if (!rs.next()) {
                return Optional.empty();
              }
              long size = rs.getLong(1);
              int chunk = rs.getInt(2);
              return Optional.of(new Stored(sha, size, chunk, chunks(size, chunk), false));
            }
          }
        });
  }

  /**
   * The bytes of a complete artifact, read one chunk at a time as the caller reads; the length and
   * the digest are checked at the end (a {@link ArtifactException} CORRUPT instead of the end).
   *
   * @throws ArtifactException NOT_FOUND when no complete artifact has this digest
   */
  public InputStream open(String sha256) throws ArtifactException {
    Stored stored =
        find(sha256)
            .orElseThrow(
                () ->
                    new ArtifactException(
                        ArtifactException.Kind.NOT_FOUND, "artifact " + sha256 + " not found"));
    return new ChunkStream(stored);
  }

  /**
   * Deletes the artifacts no {@code plugin} or {@code node_plugin} row refers to and that were
   * stored more than {@code grace} ago (so the artifact of an install that has not committed its
   * plugin row yet stays), and incomplete ones whose put's claim has lapsed too. Runs only when no
   * other node is collecting: each batch of {@link #GC_BATCH} is one transaction holding the
   * collection's advisory lock, tried, never waited for.
   */
  public Collected collectGarbage(Duration grace) {
    List<String> deleted = new ArrayList<>();
    while (true) {
      List<String> batch = work(c -> collectBatch(c, grace));
      if (batch == null) {
        if (!deleted.isEmpty()) {
          LOG.info(() -> "artifacts: collected " + deleted.size() + " (another node goes on)");
        }
        return new Collected(!deleted.isEmpty(), List.copyOf(deleted));
      }
      deleted.addAll(batch);
      if (batch.size() < GC_BATCH) {
        if (!deleted.isEmpty()) {
          LOG.info(() -> "artifacts: collected " + deleted.size() + " unreferenced");
        }
        return new Collected(true, List.copyOf(deleted));
      }
    }
  }

  /** One batch; null when another node holds the lock. */
  private static List<String> collectBatch(Connection c, Duration grace) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
      s.setLong(1, GC_LOCK);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return null;
        }
      }
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "DELETE FROM artifact WHERE sha256 IN (SELECT a.sha256 FROM artifact a"
                + " WHERE a.stored_at < now() - ? * interval '1 millisecond'"
                + " AND (a.complete OR a.stored_at < now() - ? * interval '1 millisecond')"
                + " AND NOT EXISTS (SELECT 1 FROM plugin p WHERE p.sha256 = a.sha256)"
                + " AND NOT EXISTS (SELECT 1 FROM node_plugin n WHERE n.sha256 = a.sha256)"
                + " ORDER BY a.stored_at LIMIT ? FOR UPDATE SKIP LOCKED)"
                + " RETURNING sha256")) {
      s.setLong(1, grace.toMillis());
      s.setLong(2, LEASE.toMillis());
      s.setInt(3, GC_BATCH);
      List<String> deleted = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          deleted.add(rs.getString(1));
        }
      }
      return deleted;
    }
  }

  /**
   * Takes the artifact for this put: a new row, or an incomplete one whose claim has lapsed (its
   * chunks are deleted). False when it is complete or another put's claim holds.
   */
  private boolean claim(String sha, UUID writer) {
    return work(
        c -> {
          boolean claimed;
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO artifact (sha256, chunk_size, complete, writer, stored_at)"
                      + " VALUES (?, ?, false, ?, now())"
                      + " ON CONFLICT (sha256) DO UPDATE SET writer = EXCLUDED.writer,"
                      + " chunk_size = EXCLUDED.chunk_size, stored_at = EXCLUDED.stored_at"
                      + " WHERE NOT artifact.complete"
                      + " AND artifact.stored_at < now() - ? * interval '1 millisecond'")) {
            s.setString(1, sha);
            s.setInt(2, chunkBytes);
            s.setObject(3, writer);
            s.setLong(4, LEASE.toMillis());
            claimed = s.executeUpdate() == 1;
          }
          if (claimed) {
            try (PreparedStatement s =
                c.prepareStatement("DELETE FROM artifact_chunk WHERE sha256 = ?")) {
              s.setString(1, sha);
              s.executeUpdate();
            }
          }
          return claimed;
        });
  }

  /** One chunk, one statement, one transaction; renews the claim. */
  private void writeChunk(String sha, UUID writer, int seq, byte[] buffer, int length)
      throws ArtifactException {
    int rows =
        work(
            c -> {
              unflushed(c);
              try (PreparedStatement s =
                  c.prepareStatement(
                      "WITH claim AS (UPDATE artifact SET stored_at = now()"
                          + " WHERE sha256 = ? AND writer = ? RETURNING sha256)"
                          + " INSERT INTO artifact_chunk (sha256, seq, data)"
                          + " SELECT sha256, ?, ? FROM claim")) {
                s.setString(1, sha);
                s.setObject(2, writer);
                s.setInt(3, seq);
                s.setBinaryStream(4, new ByteArrayInputStream(buffer, 0, length), length);
                return s.executeUpdate();
              }
            });
    if (rows != 1) {
      throw claimLost(sha);
    }
  }

  private void complete(String sha, UUID writer, long size) throws ArtifactException {
    int rows =
        work(
            c -> {
              unflushed(c);
              try (PreparedStatement s =
                  c.prepareStatement(
                      "UPDATE artifact SET complete = true, size = ?, writer = NULL,"
                          + " stored_at = now() WHERE sha256 = ? AND writer = ?")) {
                s.setLong(1, size);
                s.setString(2, sha);
                s.setObject(3, writer);
                return s.executeUpdate();
              }
            });
    if (rows != 1) {
      throw claimLost(sha);
    }
  }

  /**
   * Commits the current transaction of a put without waiting for the WAL flush ({@code
   * synchronous_commit = off}): an archive of 50 MiB would otherwise wait for 50 flushes. It is
   * safe because nothing trusts an archive before a commit that does wait: the change that refers
   * to it (its plugin or {@code node_plugin} row) commits later, and PostgreSQL flushes the WAL in
   * order, so that commit makes every chunk before it durable too. A crash before it loses at most
   * an archive nothing refers to yet (a put that finds it incomplete or missing stores it again).
   */
  private static void unflushed(Connection c) throws SQLException {
    try (java.sql.Statement st = c.createStatement()) {
      st.execute("SET LOCAL synchronous_commit = off");
    }
  }

  private static ArtifactException claimLost(String sha) {
    return new ArtifactException(
        ArtifactException.Kind.CLAIM_LOST,
        "artifact "
            + sha
            + ": another put took it over after this one wrote nothing for "
            + LEASE
            + "; nothing of this put was kept");
  }

  /** Deletes what this put wrote (its chunks cascade); best effort, the lease ends it anyway. */
  private void discard(String sha, UUID writer) {
    try {
      work(
          c -> {
            try (PreparedStatement s =
                c.prepareStatement(
                    "DELETE FROM artifact WHERE sha256 = ? AND writer = ? AND NOT complete")) {
              s.setString(1, sha);
              s.setObject(2, writer);
              return s.executeUpdate();
            }
          });
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "artifacts: cannot delete the incomplete artifact "
              + sha
              + " now; a later put or the garbage collection removes it",
          e);
    }
  }

  private static int chunks(long size, int chunk) {
    return (int) ((size + chunk - 1) / chunk);
  }

  private static String digest(String sha256) {
    String sha = digestOrNull(sha256);
    if (sha == null) {
      throw new IllegalArgumentException(
          "artifact digest must be 64 hex digits of SHA-256, got '" + sha256 + "'");
    }
    return sha;
  }

  private static String digestOrNull(String sha256) {
    if (sha256 == null) {
      return null;
    }
    String sha = sha256.toLowerCase(java.util.Locale.ROOT);
    return SHA256.matcher(sha).matches() ? sha : null;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Asks the PostgreSQL driver for the chunk in binary: by default it prepares a statement on the
   * server only from its fifth run, and until then a {@code bytea} comes as hex text — twice the
   * bytes, encoded by the server and decoded here.
   */
  private static void binary(PreparedStatement s) throws java.sql.SQLException {
    if (s.isWrapperFor(org.postgresql.PGStatement.class)) {
      s.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(-1);
    }
  }

  /** Plain JDBC on a connection of one short transaction. */
  private <T> T work(org.hibernate.jdbc.ReturningWork<T> work) {
    return tx.inTransaction(em -> em.unwrap(Session.class).doReturningWork(work));
  }

  /** Reads chunk after chunk, each when the reader gets to it. */
  private final class ChunkStream extends InputStream {
    private final Stored stored;
    private final MessageDigest md = sha256();
    private byte[] chunk = new byte[0];
    private int pos;
    private int next;
    private long read;
    private boolean closed;
    private boolean ended;

    ChunkStream(Stored stored) {
      this.stored = stored;
    }

    @Override
    public int read() throws IOException {
      if (!fill()) {
        return -1;
      }
      return chunk[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = Math.min(len, chunk.length - pos);
      System.arraycopy(chunk, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public int available() {
      return chunk.length - pos;
    }

    /** True when bytes are ready in {@link #chunk}; at the end checks length and digest. */
    private boolean fill() throws IOException {
      if (closed) {
        throw new IOException("artifact stream closed");
      }
      while (pos == chunk.length) {
        if (next == stored.chunks()) {
          end();
          return false;
        }
        chunk = load(next);
        long expected =
            next == stored.chunks() - 1
                ? stored.size() - (long) next * stored.chunkSize()
                : stored.chunkSize();
        if (chunk.length != expected) {
          throw corrupt("chunk " + next + " has " + chunk.length + " bytes, expected " + expected);
        }
        md.update(chunk);
        read += chunk.length;
        pos = 0;
        next++;
      }
      return true;
    }

    private void end() throws ArtifactException {
      if (ended) {
        return;
      }
      ended = true;
      String actual = HexFormat.of().formatHex(md.digest());
      if (read != stored.size() || !actual.equals(stored.sha256())) {
        throw corrupt("its chunks have " + read + " bytes of sha256 " + actual);
      }
    }

    private byte[] load(int seq) throws ArtifactException {
      byte[] data =
          work(
              c -> {
                try (PreparedStatement s =
                    c.prepareStatement(
                        "SELECT data FROM artifact_chunk WHERE sha256 = ? AND seq = ?")) {
                  binary(s);
                  s.setString(1, stored.sha256());
                  s.setInt(2, seq);
                  try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                  }
                }
              });
      if (data == null) {
        throw corrupt("chunk " + seq + " of " + stored.chunks() + " is missing");
      }
      return data;
    }

    private ArtifactException corrupt(String why) {
      return new ArtifactException(
          ArtifactException.Kind.CORRUPT, "artifact " + stored.sha256() + " is damaged: " + why);
    }

    @Override
    public void close() {
      closed = true;
      chunk = new byte[0];
      pos = 0;
    }
  }
}
