package dev.kpm.api.dto;

import dev.kpm.plugin.UdfView;

/** Describe of a native function: {@code {"name":"<function>","plugin":"<plugin>"}}. */
public record UdfInfo(String name, String plugin) {
  public static UdfInfo from(UdfView view) {
    return new UdfInfo(view.name(), view.plugin());
  }
}
