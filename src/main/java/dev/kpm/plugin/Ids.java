package dev.kpm.plugin;

import java.util.regex.Pattern;

/** eKuiper's {@code validate.ValidateID}: the checks, their order and their exact texts. */
public final class Ids {
  private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9_\\-]+");

  private Ids() {}

  /** Returns {@code id} when valid; else throws the ValidateID text with code 1000, no prefix. */
  public static String validate(String id) {
    if (id == null || id.isEmpty()) {
      throw PluginException.invalid("id cannot be empty");
    }
    if (!id.equals(id.strip())) {
      throw PluginException.invalid("id '" + id + "' contains leading or trailing whitespace");
    }
    if (!VALID.matcher(id).matches()) {
      throw PluginException.invalid(
          "id '"
              + id
              + "' contains invalid characters: only alphanumeric, hyphens and underscores are"
              + " allowed");
    }
    return id;
  }
}
