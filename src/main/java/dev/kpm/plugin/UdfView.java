package dev.kpm.plugin;

/** A native function name and the function plugin that owns it. */
public record UdfView(String name, String plugin) {}
