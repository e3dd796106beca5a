package dev.kpm.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.kpm.plugin.NativePluginView;
import java.util.List;

/**
 * Describe of a native plugin: {@code {"name":…,"version":…}}, and for function plugins with a
 * declared list {@code "functions"} first (eKuiper sorts the keys).
 */
@JsonPropertyOrder({"functions", "name", "version"})
public record PluginInfo(
    @JsonInclude(JsonInclude.Include.NON_NULL) List<String> functions,
    String name,
    String version) {

  public static PluginInfo from(NativePluginView view) {
    return new PluginInfo(view.functions().orElse(null), view.name(), described(view.version()));
  }

  /** eKuiper hides exactly one leading {@code v}: {@code v1.0.0} → {@code 1.0.0}, vv1 → v1. */
  static String described(String version) {
    return version.startsWith("v") ? version.substring(1) : version;
  }
}
