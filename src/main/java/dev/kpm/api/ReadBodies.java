package dev.kpm.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kpm.api.dto.PluginInfo;
import dev.kpm.api.dto.UdfInfo;
import dev.kpm.plugin.NativePluginView;
import dev.kpm.plugin.PluginType;
import dev.kpm.plugin.Registry;
import dev.kpm.plugin.UdfView;

/**
 * The JSON bodies of the registry reads, rendered once per {@link Registry} snapshot and kept in
 * it: the same bytes whether {@link FastReads} or a JAX-RS resource sends them.
 */
final class ReadBodies {
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Key(String read, PluginType type, String name) {}

  private ReadBodies() {}

  static byte[] list(Registry registry, PluginType type) {
    return registry.derived(new Key("list", type, null), () -> json(registry.names(type)));
  }

  static byte[] describe(Registry registry, NativePluginView plugin) {
    return registry.derived(
        new Key("describe", plugin.type(), plugin.name()), () -> json(PluginInfo.from(plugin)));
  }

  static byte[] udfs(Registry registry) {
    return registry.derived(new Key("udfs", null, null), () -> json(registry.udfs()));
  }

  static byte[] udf(Registry registry, UdfView udf) {
    return registry.derived(new Key("udf", null, udf.name()), () -> json(UdfInfo.from(udf)));
  }

  private static byte[] json(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render " + value, e);
    }
  }
}
