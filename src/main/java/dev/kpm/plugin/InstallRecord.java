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
  private Operation operation;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false, length = 16)
  private State state;

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

  protected InstallRecord() {}

  /** What the attempt does. */
  enum Operation {
    CREATE,
    UPDATE,
    AUTOLOAD
  }

  /** RUNNING rows found at start-up belong to a crashed kpm: recovery undoes them (ABORTED). */
  enum State {
    RUNNING,
    SUCCEEDED,
    FAILED,
    ABORTED
  }
}
