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

/** A plugin row (table {@code plugin}); never leaves this package's services. */
@Entity
@Table(name = "plugin")
class Plugin {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Convert(converter = PluginTypeConverter.class)
  @Column(nullable = false, length = 16)
  private PluginType type;

  @Column(nullable = false)
  private String name;

  @Column(nullable = false)
  private String version = "";

  @Enumerated(EnumType.STRING)
  @Column(nullable = false, length = 16)
  private PluginState state;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false, length = 16)
  private PluginOrigin origin = PluginOrigin.API;

  @Column(name = "source_url", columnDefinition = "text")
  private String sourceUrl;

  @Column(length = 64)
  private String sha256;

  @Column(name = "shell_paras", nullable = false, columnDefinition = "text[]")
  private String[] shellParas = new String[0];

  @Column(length = 1024)
  private String artifact;

  @Column(name = "functions_declared", nullable = false)
  private boolean functionsDeclared;

  /** The node that marked the row DELETING and finishes the drop (V5). */
  @Column(name = "worker_node", length = 128)
  private String workerNode;

  @Column(nullable = false, columnDefinition = "text[]")
  private String[] files = new String[0];

  @Column(name = "created_at", nullable = false)
  private Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  private Instant updatedAt;

  protected Plugin() {}

  Plugin(PluginType type, String name, PluginState state) {
    this.type = type;
    this.name = name;
    this.state = state;
    this.createdAt = Instant.now();
    this.updatedAt = createdAt;
  }

  Long id() {
    return id;
  }

  PluginType type() {
    return type;
  }

  String name() {
    return name;
  }

  String version() {
    return version;
  }

  void version(String version) {
    this.version = version;
  }

  PluginState state() {
    return state;
  }

  void workerNode(String node) {
    this.workerNode = node;
  }

  void state(PluginState state) {
    this.state = state;
    this.updatedAt = Instant.now();
  }

  boolean functionsDeclared() {
    return functionsDeclared;
  }

  void functionsDeclared(boolean declared) {
    this.functionsDeclared = declared;
    this.updatedAt = Instant.now();
  }

  String artifact() {
    return artifact;
  }

  String sourceUrl() {
    return sourceUrl;
  }

  String sha256() {
    return sha256;
  }

  PluginOrigin origin() {
    return origin;
  }

  Instant createdAt() {
    return createdAt;
  }

  Instant updatedAt() {
    return updatedAt;
  }

  String[] shellParas() {
    return shellParas;
  }

  String[] files() {
    return files;
  }

  /** Takes every installable attribute of {@code p}; the row keeps its id, type, name, state. */
  void apply(NewPlugin p, PluginOrigin origin) {
    this.version = p.version();
    this.artifact = p.artifact();
    this.sourceUrl = p.sourceUrl();
    this.sha256 = p.sha256();
    this.shellParas = p.shellParas().toArray(String[]::new);
    this.functionsDeclared = p.functions().isPresent();
    this.files = p.files().toArray(String[]::new);
    this.origin = origin;
    this.updatedAt = Instant.now();
  }
}
