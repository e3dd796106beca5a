package dev.kpm.plugin;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapsId;
import jakarta.persistence.OneToOne;
import jakarta.persistence.Table;

/**
 * The {@code <name>.json} of a portable plugin; symbol arrays are null when the json omits them.
 */
@Entity
@Table(name = "portable_meta")
class PortableMeta {
  @Id
  @Column(name = "plugin_id")
  private Long pluginId;

  @MapsId
  @OneToOne(fetch = FetchType.LAZY, optional = false)
  @JoinColumn(name = "plugin_id")
  private Plugin plugin;

  @Column(nullable = false, length = 16)
  private String language;

  @Column(nullable = false, length = 1024)
  private String executable;

  @Column(name = "virtual_env_type", length = 64)
  private String virtualEnvType;

  @Column private String env;

  @Column(columnDefinition = "text[]")
  private String[] sources;

  @Column(columnDefinition = "text[]")
  private String[] sinks;

  @Column(columnDefinition = "text[]")
  private String[] functions;

  protected PortableMeta() {}

  PortableMeta(Plugin plugin, PortableSpec spec) {
    this.plugin = plugin;
    apply(spec);
  }

  void apply(PortableSpec spec) {
    this.language = spec.language();
    this.executable = spec.executable();
    this.virtualEnvType = spec.virtualEnvType();
    this.env = spec.env();
    this.sources = array(spec.sources());
    this.sinks = array(spec.sinks());
    this.functions = array(spec.functions());
  }

  private static String[] array(java.util.List<String> names) {
    return names == null ? null : names.toArray(String[]::new);
  }

  PortableSpec spec() {
    return new PortableSpec(
        plugin.version(),
        language,
        executable,
        virtualEnvType,
        env,
        sources == null ? null : java.util.List.of(sources),
        sinks == null ? null : java.util.List.of(sinks),
        functions == null ? null : java.util.List.of(functions));
  }

  Plugin plugin() {
    return plugin;
  }

  String language() {
    return language;
  }

  String executable() {
    return executable;
  }

  String virtualEnvType() {
    return virtualEnvType;
  }

  String env() {
    return env;
  }

  String[] sources() {
    return sources;
  }

  String[] sinks() {
    return sinks;
  }

  String[] functions() {
    return functions;
  }
}
