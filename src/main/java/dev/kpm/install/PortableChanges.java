package dev.kpm.install;

/**
 * Changes of portable plugins as the HTTP API asks for them, each answering eKuiper's text. {@link
 * PortableService} is kpm's.
 */
public interface PortableChanges {
  String create(String body);

  String update(String name, String body);

  String drop(String name);
}
