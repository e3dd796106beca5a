package dev.kpm.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.kpm.plugin.PortablePluginView;
import java.util.List;

/**
 * eKuiper's portable plugin info object, fields in its order; {@code virtualEnvType} and {@code
 * env} only when set, the symbol lists {@code null} (not {@code []}) when absent.
 */
@JsonPropertyOrder({
  "name",
  "version",
  "language",
  "executable",
  "virtualEnvType",
  "env",
  "sources",
  "sinks",
  "functions"
})
public record PortableInfo(
    String name,
    String version,
    String language,
    String executable,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) String virtualEnvType,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) String env,
    List<String> sources,
    List<String> sinks,
    List<String> functions) {

  public static PortableInfo from(PortablePluginView view) {
    return new PortableInfo(
        view.name(),
        view.version(),
        view.language(),
        view.executable().toString(),
        view.virtualEnvType(),
        view.env(),
        view.sources(),
        view.sinks(),
        view.functions());
  }
}
