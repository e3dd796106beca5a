package dev.kpm.api.dto;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /plugins/portables/{name}}: the info object merged with the status fields, so readers
 * of either of eKuiper's documented shapes find what they expect (SPEC A1).
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
  "functions",
  "refCount",
  "status",
  "errMsg",
  "pid",
  "restarts",
  "startedAt"
})
public record PortableDescription(
    String name,
    String version,
    String language,
    String executable,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) String virtualEnvType,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) String env,
    List<String> sources,
    List<String> sinks,
    List<String> functions,
    Map<String, Integer> refCount,
    String status,
    String errMsg,
    long pid,
    int restarts,
    String startedAt) {

  public static PortableDescription from(PortableInfo i, PortableStatusInfo s) {
    return new PortableDescription(
        i.name(),
        i.version(),
        i.language(),
        i.executable(),
        i.virtualEnvType(),
        i.env(),
        i.sources(),
        i.sinks(),
        i.functions(),
        s.refCount(),
        s.status(),
        s.errMsg(),
        s.pid(),
        s.restarts(),
        s.startedAt());
  }
}
