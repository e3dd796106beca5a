package dev.kpm.api;

/**
 * Told of every request {@link SecurityFilter} let through or refused, once it is answered: for
 * request metrics. Called on the request thread; must not block or throw.
 */
@FunctionalInterface
public interface RequestObserver {
  RequestObserver NONE = (route, method, status, nanos) -> {};

  /**
   * @param route the path template of the request's row in the role table ({@code
   *     /plugins/{type}/{name}}), never the raw path; null when the table has no row for it
   * @param status the status answered (500 when the request ended in an exception)
   * @param nanos from the filter's start to the answer
   */
  void served(String route, String method, int status, long nanos);
}
