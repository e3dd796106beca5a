package dev.kpm;

import dev.kpm.install.ServerControl;
import java.util.logging.Logger;

/**
 * {@code ?stop=1} when kpm owns the JVM (its launcher): about a second after the answer, exit with
 * status 100 as eKuiper does; the launcher's shutdown hook stops Tomcat, kpm and PostgreSQL
 * gracefully on the way out.
 */
enum JvmExit implements ServerControl {
  AFTER_RESPONSE;

  static final int STATUS = 100;

  @Override
  public void stopSoon() {
    AfterResponse.run(
        () -> {
          Logger.getLogger(JvmExit.class.getName()).info("stopping kpm: ?stop=1");
          System.exit(STATUS);
        });
  }
}
