package dev.kpm.plugin;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One create/update/auto-load attempt and its log (table {@code install_record}). Mapped now so
 * that Hibernate validates the whole V1 schema; written by the install pipeline.
 */
@Entity
@Table(name = "install_record")
class InstallRecord {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Convert(converter = PluginTypeConverter.class)
  @Column(name = "plugin_type", nullable = false, length = 16)
  private PluginType pluginType;

  @Column(name = "plugin_name", nullable = false)
  private String pluginName;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false, length = 16)
  private InstallOperation operation;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false, length = 16)
  private InstallState state;

  @Column(name = "source_url", columnDefinition = "text")
  private String sourceUrl;

  @Column(length = 64)
  private String sha256;

  @Column private Long bytes;

  @Column(name = "staging_dir", columnDefinition = "text")
  private String stagingDir;

  @Column(nullable = false, columnDefinition = "text[]")
  private String[] manifest = new String[0];

  @Column(name = "exit_code")
  private Integer exitCode;

  @Column(name = "stdout_tail", columnDefinition = "text")
  private String stdoutTail;

  @Column(name = "stderr_tail", columnDefinition = "text")
  private String stderrTail;

  @Column(columnDefinition = "text")
  private String error;

  @Column(name = "started_at", nullable = false)
  private Instant startedAt;

  @Column(name = "finished_at")
  private Instant finishedAt;

  @Column(name = "duration_ms")
  private Long durationMs;

  /** The node that ran the attempt (V5); NULL for attempts recorded before. */
  @Column(name = "node_id", length = 128)
  private String nodeId;

  /** Whether the attempt applied the fleet's desired state to its node's home (V5). */
  @Column(name = "fleet_apply", nullable = false)
  private boolean fleetApply;

  protected InstallRecord() {}

  InstallRecord(
      PluginType type,
      String name,
      InstallOperation operation,
      String sourceUrl,
      String staging,
      String nodeId,
      boolean fleetApply) {
    this.nodeId = nodeId;
    this.fleetApply = fleetApply;
    this.pluginType = type;
    this.pluginName = name;
    this.operation = operation;
    this.state = InstallState.RUNNING;
    this.sourceUrl = sourceUrl;
    this.stagingDir = staging;
    this.startedAt = Instant.now();
  }

  String nodeId() {
    return nodeId;
  }

  boolean fleetApply() {
    return fleetApply;
  }

  Long id() {
    return id;
  }

  PluginType pluginType() {
    return pluginType;
  }

  String pluginName() {
    return pluginName;
  }

  InstallOperation operation() {
    return operation;
  }

  InstallState state() {
    return state;
  }

  String stagingDir() {
    return stagingDir;
  }

  String[] manifest() {
    return manifest;
  }

  String error() {
    return error;
  }

  Integer exitCode() {
    return exitCode;
  }

  String stdoutTail() {
    return stdoutTail;
  }

  String stderrTail() {
    return stderrTail;
  }

  Long bytes() {
    return bytes;
  }

  String sha256() {
    return sha256;
  }

  Instant startedAt() {
    return startedAt;
  }

  Long durationMs() {
    return durationMs;
  }

  /** Ends the attempt; every later state is final. */
  void finish(InstallState outcome, String error, InstallLog log) {
    this.state = outcome;
    this.error = error;
    this.bytes = log.bytes();
    this.sha256 = log.sha256();
    this.exitCode = log.exitCode();
    this.stdoutTail = log.stdoutTail();
    this.stderrTail = log.stderrTail();
    this.finishedAt = Instant.now();
    this.durationMs = finishedAt.toEpochMilli() - startedAt.toEpochMilli();
  }
}
