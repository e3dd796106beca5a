package dev.kpm.upload;

import java.util.Locale;

/** Which of eKuiper's two upload forms a {@code POST /config/uploads} is. */
public final class UploadForms {
  private UploadForms() {}

  /**
   * Whether the body is the JSON form ({@code {"name","content"}}, {@code {"name","file"}}): a
   * Content-Type of {@code application/json}, in any case and with any parameters (eKuiper: exactly
   * {@code application/json}; docs/api.md §9.37). Anything else is read as a multipart form.
   */
  public static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return type.strip().toLowerCase(Locale.ROOT).equals("application/json");
  }
}
