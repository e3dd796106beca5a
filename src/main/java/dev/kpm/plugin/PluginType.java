package dev.kpm.plugin;

import java.util.Arrays;

/** The four plugin types: the word used in URLs and messages, and the folder name on disk. */
public enum PluginType {
  SOURCES("sources", "sources"),
  SINKS("sinks", "sinks"),
  FUNCTIONS("functions", "functions"),
  PORTABLES("portables", "portable");

  private final String word;
  private final String folder;

  PluginType(String word, String folder) {
    this.word = word;
    this.folder = folder;
  }

  /** The plural type word of eKuiper's URLs and messages, e.g. {@code sources}. */
  public String word() {
    return word;
  }

  /** The folder below {@code plugins/}: {@code portable} for portables, else the word. */
  public String folder() {
    return folder;
  }

  public boolean isNative() {
    return this != PORTABLES;
  }

  /** Parses a type word; also the JAX-RS conversion of the {@code {type}} path parameter. */
  public static PluginType fromString(String word) {
    return Arrays.stream(values())
        .filter(t -> t.word.equals(word))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown plugin type " + word));
  }

  @Override
  public String toString() {
    return word;
  }
}
