package dev.kpm.audit;

import dev.kpm.persistence.DatabaseUnavailableException;
import dev.kpm.persistence.Transactions;
import dev.kpm.threads.NamedThreads;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.hibernate.Session;

/**
 * kpm's audit trail (docs/api.md §12): appends events to the hash chain — inside the transaction of
 * the change they record, or in their own — reads, exports and verifies it, and purges what is
 * older than the retention. Events that cannot be written because the database is away wait in
 * memory (at most {@link #MAX_PENDING}) and are written once it answers. A thread {@code kpm-audit}
 * writes the aggregated refusals of each minute, retries the waiting events and runs the daily
 * purge. Thread-safe.
 */
public final class AuditTrail implements AuditReads, AutoCloseable {
  static final int MAX_PENDING = 10_000;
  static final int PAGE = 2000;
  static final Duration PURGE_EVERY = Duration.ofHours(24);
  private static final Logger LOG = Logger.getLogger(AuditTrail.class.getName());

  private final Transactions tx;
  private final String nodeId;
  private final Duration retention;
  private final Clock clock;
  private final Refusals refusals = new Refusals();
  private final Deque<AuditEvent> pending = new ArrayDeque<>();
  private final ScheduledExecutorService worker;

  /** Whether the last write found the database away: new events then wait behind the kept ones. */
  private volatile boolean away;

  /** Told of every act opened through {@link #open}; nobody by default. */
  private volatile ActListener listener;

  public AuditTrail(Transactions tx, String nodeId, Duration retention, Clock clock) {
    this.tx = tx;
    this.nodeId = nodeId;
    this.retention = retention;
    this.clock = clock;
    this.worker = Executors.newSingleThreadScheduledExecutor(NamedThreads.of("kpm-audit-"));
    worker.scheduleWithFixedDelay(this::background, 5, 5, TimeUnit.SECONDS);
    worker.scheduleWithFixedDelay(this::purgeIfDue, 1, 60, TimeUnit.MINUTES);
  }

  public String nodeId() {
    return nodeId;
  }

  /** Tells {@code l} of every act {@link #open} opens from now on, and of its end. */
  public void listen(ActListener l) {
    this.listener = l;
  }

  /** A new act of {@code actor}, whose start and end the listener (if any) is told of. */
  public Act open(Actor actor, AuditAction action) {
    Act act = new Act(actor, action);
    ActListener l = listener;
    return l == null ? act : act.listen(l);
  }

  /**
   * Appends the event of {@code act}'s success inside the caller's transaction, as its last
   * statement (the chain's lock is held until that transaction ends). The caller marks the act
   * {@link Act#recorded} once the transaction has committed.
   */
  public void append(EntityManager em, AuditEvent event) {
    appendAll(em, List.of(event));
  }

  /** Appends several events inside the caller's transaction, in order. */
  public void appendAll(EntityManager em, List<AuditEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    List<AuditEvent> stamped = events.stream().map(e -> e.onNode(nodeId)).toList();
    em.unwrap(Session.class).doWork(c -> Chain.append(c, stamped));
  }

  /**
   * Ends {@code act} with what the request answered, unless its event is already committed: writes
   * it in its own transaction (or keeps it for later when the database is away).
   */
  public void finish(Act act, int status, String error) {
    if (act.isDeferred()) {
      return; // its job writes it when it ends (finishDeferred)
    }
    write(act, status, error);
  }

  /**
   * Writes the event of an act whose request ended before its change ({@link Act#defer}): the job
   * that ran the change calls this once it has ended, unless the change wrote it already.
   */
  public void finishDeferred(Act act, int status, String error) {
    write(act, status, error);
  }

  private void write(Act act, int status, String error) {
    if (act.isRecorded()) {
      return;
    }
    AuditEvent event = act.ended(status, error);
    if (status == 503) {
      // The database is away (or kpm is stopping): waiting for it would only delay the answer.
      submit(event);
    } else {
      record(event);
    }
    act.recorded();
  }

  /**
   * Writes one event in its own transaction, unless the same act's event is there already (a commit
   * whose outcome was unknown may have written it); when the database is away — or the last write
   * found it away — keeps it to write later, in order.
   */
  public void record(AuditEvent event) {
    AuditEvent stamped = event.onNode(nodeId);
    if (away) {
      // The last write found the database away: follow the waiting events without waiting.
      keep(stamped);
      retrySoon();
      return;
    }
    try {
      writeOwn(List.of(stamped));
    } catch (DatabaseUnavailableException e) {
      away = true;
      LOG.warning(() -> "audit: the database is away; kept for later: " + describe(stamped));
      keep(stamped);
    }
  }

  /** Writes an event later, on the trail's own thread: for kpm's actions that must not wait. */
  public void submit(AuditEvent event) {
    keep(event.onNode(nodeId));
    retrySoon();
  }

  /** Writes the waiting events on the trail's thread, or at once when it is closing. */
  private void retrySoon() {
    try {
      worker.execute(this::retryPending);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      retryPending(); // closing: write them now, as close does
    }
  }

  /**
   * Counts a refusal of a client that did not prove who it is; written per client and minute
   * (docs/api.md §12.1).
   *
   * @param request the method and path, e.g. {@code POST /plugins/sources}
   */
  public void refused(String client, String requestId, int status, String request, String message) {
    refusals.add(clock.instant(), client, requestId, status, request, message);
  }

  /** A page of the trail, newest first; {@code next} continues it, null at the end. */
  public record Page(List<AuditEntry> events, Long next) {}

  @Override
  public Page page(AuditQuery query) {
    flushRefusals(true);
    List<AuditEntry> rows = select(query, query.limit() + 1);
    Long next = null;
    if (rows.size() > query.limit()) {
      rows = rows.subList(0, query.limit());
      next = rows.get(rows.size() - 1).seq();
    }
    return new Page(List.copyOf(rows), next);
  }

  /**
   * Every event the filter matches (its limit ignored), newest first, in pages of {@value #PAGE}.
   */
  @Override
  public void export(AuditQuery query, Consumer<AuditEntry> out) {
    flushRefusals(true);
    AuditQuery q = query;
    while (true) {
      List<AuditEntry> rows = select(q, PAGE);
      rows.forEach(out);
      if (rows.size() < PAGE) {
        return;
      }
      q = q.after(rows.get(rows.size() - 1).seq());
    }
  }

  private List<AuditEntry> select(AuditQuery query, int limit) {
    return tx.inTransaction(
        em ->
            em.unwrap(Session.class)
                .doReturningWork(
                    c -> {
                      List<Object> values = new ArrayList<>();
                      String sql =
                          "SELECT "
                              + Chain.COLUMNS
                              + " FROM audit_event"
                              + query.where(values)
                              + " ORDER BY seq DESC LIMIT "
                              + limit;
                      List<AuditEntry> out = new ArrayList<>();
                      try (PreparedStatement s = c.prepareStatement(sql)) {
                        for (int i = 0; i < values.size(); i++) {
                          s.setObject(i + 1, values.get(i));
                        }
                        try (ResultSet r = s.executeQuery()) {
                          while (r.next()) {
                            out.add(Chain.read(r));
                          }
                        }
                      }
                      return out;
                    }));
  }

  @Override
  public Map<String, String> installers(String pluginType) {
    // The newest of each name's installing and uninstalling events (audit_event_plugin_idx);
    // only a create or update names who installed what is there now.
    String sql =
        "SELECT DISTINCT ON (plugin_name) plugin_name, action, subject FROM audit_event"
            + " WHERE plugin_type = ? AND outcome = 'ok' AND action IN (?, ?, ?, ?)"
            + " ORDER BY plugin_name, seq DESC";
    return tx.inTransaction(
        em ->
            em.unwrap(Session.class)
                .doReturningWork(
                    c -> {
                      Map<String, String> out = new TreeMap<>();
                      try (PreparedStatement s = c.prepareStatement(sql)) {
                        s.setString(1, pluginType);
                        s.setString(2, AuditAction.PLUGIN_CREATE.wire());
                        s.setString(3, AuditAction.PLUGIN_UPDATE.wire());
                        s.setString(4, AuditAction.PLUGIN_DELETE.wire());
                        s.setString(5, AuditAction.PLUGIN_AUTOLOAD.wire());
                        try (ResultSet r = s.executeQuery()) {
                          while (r.next()) {
                            String action = r.getString(2);
                            if (action.equals(AuditAction.PLUGIN_CREATE.wire())
                                || action.equals(AuditAction.PLUGIN_UPDATE.wire())) {
                              out.put(r.getString(1), r.getString(3));
                            }
                          }
                        }
                      }
                      return out;
                    }));
  }

  /**
   * Walks the chain from its anchor to its head in one consistent snapshot and reports the first
   * break: a missing event, an event whose content no longer matches its hash, a link to a
   * different previous event, or a head the events do not reach.
   */
  @Override
  public Verification verify() {
    return tx.inTransaction(em -> em.unwrap(Session.class).doReturningWork(ChainCheck::verify));
  }

  /** What a purge removed. */
  public record Purge(long events, long anchorSeq) {}

  /**
   * Removes the oldest events, all of them before {@code cutoff}, as a prefix of the chain (an
   * event is kept, and all after it, once one is not older); the last removed event becomes the
   * chain's anchor in the same transaction, so verification still works. In batches, each its own
   * transaction; ends with an {@code audit.purge} event when anything was removed.
   */
  public Purge purge(Instant cutoff) {
    long total = 0;
    long anchor;
    while (true) {
      long[] step =
          tx.inTransaction(
              em -> em.unwrap(Session.class).doReturningWork(c -> Retention.purgeBatch(c, cutoff)));
      total += step[0];
      anchor = step[1];
      if (step[0] < PAGE * 5L) {
        break;
      }
    }
    if (total > 0) {
      long removed = total;
      long upTo = anchor;
      record(
          Act.system(AuditAction.AUDIT_PURGE)
              .detail(
                  "removed "
                      + removed
                      + " event(s) older than "
                      + cutoff
                      + "; the chain now starts after event "
                      + upTo)
              .succeeded());
      LOG.info(() -> "audit: purged " + removed + " event(s) up to event " + upTo);
    }
    return new Purge(total, anchor);
  }

  /** Runs the purge when no node has run it in the last {@link #PURGE_EVERY}. */
  void purgeIfDue() {
    try {
      boolean due =
          tx.inTransaction(
              em ->
                  em.unwrap(Session.class)
                      .doReturningWork(
                          c -> {
                            try (PreparedStatement s =
                                c.prepareStatement(
                                    "SELECT purged_at IS NULL OR purged_at < now() - ?::interval"
                                        + " FROM audit_chain WHERE id = 1"); ) {
                              s.setString(1, PURGE_EVERY.toSeconds() + " seconds");
                              try (ResultSet r = s.executeQuery()) {
                                return r.next() && r.getBoolean(1);
                              }
                            }
                          }));
      if (due) {
        purge(clock.instant().minus(retention));
      }
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING, "audit: the retention purge failed; it is tried again within an hour", e);
    }
  }

  private void writeOwn(List<AuditEvent> events) {
    tx.run(
        em ->
            em.unwrap(Session.class)
                .doWork(
                    c -> {
                      Chain.lock(c);
                      List<AuditEvent> fresh = new ArrayList<>();
                      for (AuditEvent e : events) {
                        if (!present(c, e)) {
                          fresh.add(e);
                        }
                      }
                      if (!fresh.isEmpty()) {
                        Chain.append(c, fresh);
                      }
                    }));
  }

  /** Whether this event (same time, action, node and request) is stored already. */
  private static boolean present(Connection c, AuditEvent e) throws SQLException {
    if (e.requestId() == null) {
      return false;
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT 1 FROM audit_event WHERE at = ? AND action = ? AND node_id = ? AND request_id = ?")) {
      s.setObject(1, OffsetDateTime.ofInstant(e.at(), ZoneOffset.UTC));
      s.setString(2, e.action());
      s.setString(3, e.nodeId());
      s.setString(4, e.requestId());
      try (ResultSet r = s.executeQuery()) {
        return r.next();
      }
    }
  }

  private void keep(AuditEvent event) {
    synchronized (pending) {
      if (pending.size() >= MAX_PENDING) {
        AuditEvent lost = pending.removeFirst();
        LOG.severe(() -> "audit: too many events wait for the database; dropped " + describe(lost));
      }
      pending.addLast(event);
    }
  }

  /** Writes the aggregated refusals of ended minutes (or all), then the waiting events. */
  void flushRefusals(boolean all) {
    List<AuditEvent> events = refusals.drain(clock.instant(), all);
    if (events.isEmpty()) {
      return;
    }
    List<AuditEvent> stamped = events.stream().map(e -> e.onNode(nodeId)).toList();
    try {
      writeOwn(stamped);
    } catch (DatabaseUnavailableException e) {
      away = true;
      stamped.forEach(this::keep);
    }
  }

  private void retryPending() {
    while (true) {
      List<AuditEvent> batch = new ArrayList<>();
      synchronized (pending) {
        while (!pending.isEmpty() && batch.size() < 100) {
          batch.add(pending.peekFirst());
          pending.removeFirst();
        }
      }
      if (batch.isEmpty()) {
        return;
      }
      try {
        writeOwn(batch);
        away = false;
      } catch (RuntimeException e) {
        away = e instanceof DatabaseUnavailableException;
        synchronized (pending) {
          for (int i = batch.size() - 1; i >= 0; i--) {
            pending.addFirst(batch.get(i));
          }
        }
        return;
      }
    }
  }

  /** How many events wait for the database (for tests and status). */
  public int pendingCount() {
    synchronized (pending) {
      return pending.size();
    }
  }

  private void background() {
    try {
      flushRefusals(false);
      retryPending();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "audit: background write failed", e);
    }
  }

  private static String describe(AuditEvent e) {
    return e.action()
        + " by "
        + e.subject()
        + " ("
        + e.method()
        + ") "
        + (e.pluginType() == null ? "" : e.pluginType() + "/" + e.pluginName() + " ")
        + e.outcome()
        + " "
        + e.status();
  }

  /** Writes what is counted or waiting, as far as the database lets it, and stops the thread. */
  @Override
  public void close() {
    worker.shutdownNow();
    try {
      flushRefusals(true);
      retryPending();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "audit: final write failed", e);
    }
    int left = pendingCount();
    if (left > 0) {
      LOG.severe("audit: " + left + " event(s) could not be written before kpm stopped");
    }
  }
}
