package dev.kpm.portable;

/**
 * Told of every portable function call over its channel: for metrics. Called on the request thread;
 * must not block or throw.
 */
@FunctionalInterface
public interface CallTimings {
  CallTimings NONE = (plugin, function, ok, nanos) -> {};

  /**
   * @param plugin an installed plugin
   * @param function a function that plugin declares
   * @param ok whether the plugin replied (its reply may still report a failure of the function)
   */
  void called(String plugin, String function, boolean ok, long nanos);
}
