package dev.kpm.plugin;

/**
 * A refused plugin operation, carrying eKuiper's error code and the exact message text. The API
 * layer turns code 1002 into 404 and every other code into 400, as eKuiper does; kpm's own
 * conflicts answer 409.
 */
public final class PluginException extends RuntimeException {
  /** eKuiper's errorx code for errors without a specific code. */
  public static final int UNDEFINED = 1000;

  /** eKuiper's errorx NOT_FOUND code. */
  public static final int NOT_FOUND = 1002;

  /** eKuiper's errorx ConfKeyError, the code of its {@code /metadata} item refusals (§8.11). */
  public static final int CONF_KEY = 5000;

  private final int code;
  private final int status;

  private PluginException(int code, String message) {
    this(code, code == NOT_FOUND ? 404 : 400, message);
  }

  private PluginException(int code, int status, String message) {
    super(message, null, false, false);
    this.code = code;
    this.status = status;
  }

  /** kpm's: a request that conflicts with the state of what it names (409). */
  public static PluginException conflict(String message) {
    return new PluginException(UNDEFINED, 409, message);
  }

  /** The HTTP status: 404 for code 1002, 409 for a conflict, else 400. */
  public int status() {
    return status;
  }

  public static PluginException notFound(String message) {
    return new PluginException(NOT_FOUND, message);
  }

  public static PluginException invalid(String message) {
    return new PluginException(UNDEFINED, message);
  }

  /** A refusal with another eKuiper code than 1000 or 1002; answered 400. */
  public static PluginException withCode(int code, String message) {
    return new PluginException(code, message);
  }

  public int code() {
    return code;
  }
}
