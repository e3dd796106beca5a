package dev.kpm.audit;

import java.time.Instant;

/**
 * One audited action in progress: who started it and what, plus the facts the work learns on its
 * way (the plugin, its source, the artifact's hash, the versions). The API's gate opens one per
 * audited request; the change that commits writes its event in the same transaction and marks it
 * {@link #recorded}; otherwise the gate writes it when the request ends, with the status and error
 * it answered — so each act leaves exactly one event. Thread-safe: the work may run on another
 * thread than the request.
 */
public final class Act {
  private final Actor actor;
  private AuditAction action;
  private final Instant started = Instant.now();
  private final long startNanos = System.nanoTime();
  private String pluginType;
  private String pluginName;
  private String sourceUrl;
  private String rawSourceUrl;
  private String sha256;
  private String versionBefore;
  private String versionAfter;
  private String detail;
  private boolean recorded;
  private ActListener listener;
  private AuditAction opened;
  private AuditEvent last;
  private boolean deferred;

  public Act(Actor actor, AuditAction action) {
    this.actor = actor;
    this.action = action;
  }

  /** kpm acting on its own. */
  public static Act system(AuditAction action) {
    return new Act(Actor.system(), action);
  }

  public synchronized AuditAction action() {
    return action;
  }

  /**
   * Turns this act into a dry run of what it was opened for ({@code plugin.dry-run}): the wire name
   * of the change it previews becomes the detail's first word.
   */
  public synchronized Act dryRun(String note) {
    String previewed = action.wire();
    this.action = AuditAction.PLUGIN_DRY_RUN;
    this.detail = previewed + ": " + note;
    return this;
  }

  public Actor actor() {
    return actor;
  }

  /** The plugin's name as the work learned it (a create's from its body), or null. */
  public synchronized String pluginName() {
    return pluginName;
  }

  public synchronized Act plugin(String type, String name) {
    this.pluginType = type;
    this.pluginName = name;
    return this;
  }

  /** The source URL; user name, password and credential-like query values are removed. */
  public synchronized Act source(String url) {
    this.rawSourceUrl = url;
    this.sourceUrl = SourceUrls.strip(url);
    return this;
  }

  public synchronized Act artifact(String sha256) {
    this.sha256 = sha256;
    return this;
  }

  public synchronized Act versionBefore(String version) {
    this.versionBefore = version;
    return this;
  }

  public synchronized Act versionAfter(String version) {
    this.versionAfter = version;
    return this;
  }

  /** A free-text addition, e.g. {@code stop=1} or a token's name and role. */
  public synchronized Act detail(String detail) {
    this.detail = detail;
    return this;
  }

  /** Adds a sentence to the detail (after any detail already set). */
  public synchronized Act note(String sentence) {
    this.detail = detail == null || detail.isEmpty() ? sentence : detail + "; " + sentence;
    return this;
  }

  /** The event of this act ending with the action's success status. */
  public AuditEvent succeeded() {
    return ended(action.successStatus(), null);
  }

  /** Tells {@code l} of this act's start now and of its end once it is recorded. */
  Act listen(ActListener l) {
    synchronized (this) {
      this.listener = l;
      this.opened = action;
    }
    l.opened(opened);
    return this;
  }

  /** The event of this act ending with {@code status} (and the error text it answered). */
  public synchronized AuditEvent ended(int status, String error) {
    last = event(status, error);
    return last;
  }

  private AuditEvent event(int status, String error) {
    return new AuditEvent(
        started,
        null,
        actor.subject(),
        actor.method(),
        actor.clientAddress(),
        actor.requestId(),
        action.wire(),
        pluginType,
        pluginName,
        sourceUrl,
        sha256,
        versionBefore,
        versionAfter,
        AuditEvent.outcomeOf(status),
        status,
        withoutCredentials(error),
        detail,
        1,
        (System.nanoTime() - startNanos) / 1_000_000);
  }

  /** eKuiper's error texts repeat the URL: the audit keeps it without its credentials. */
  private String withoutCredentials(String error) {
    if (error == null || rawSourceUrl == null || rawSourceUrl.equals(sourceUrl)) {
      return error;
    }
    return error.replace(rawSourceUrl, sourceUrl);
  }

  /**
   * The request ends before the change (an asynchronous job): whoever ends the request leaves the
   * event to the job, which {@link #undefer}s and writes it.
   */
  public synchronized void defer() {
    deferred = true;
  }

  public synchronized void undefer() {
    deferred = false;
  }

  public synchronized boolean isDeferred() {
    return deferred;
  }

  /** Its event is committed: nothing more is written for it. */
  public void recorded() {
    ActListener l;
    AuditEvent event;
    synchronized (this) {
      if (recorded) {
        return;
      }
      recorded = true;
      l = listener;
      event = last != null ? last : ended(action.successStatus(), null);
    }
    if (l != null) {
      l.ended(opened, event);
    }
  }

  public synchronized boolean isRecorded() {
    return recorded;
  }
}
