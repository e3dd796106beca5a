package dev.kpm.launcher;

import java.util.logging.LogManager;

/**
 * The JDK's log manager that never resets. Two resets would otherwise silence the log while kpm
 * stops: the JDK's shutdown hook (it runs at the same time as kpm's) and Tomcat, which resets any
 * log manager that is not exactly the JDK's when a web application stops. Console handlers flush
 * every record, so nothing is lost by never resetting; the JVM owns no other handler.
 */
public final class LauncherLogManager extends LogManager {
  @Override
  public void reset() {
    // deliberately nothing: see the class comment
  }
}
