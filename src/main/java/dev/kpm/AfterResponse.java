package dev.kpm;

/** Runs a stop action about a second later, so the answer to {@code ?stop=1} is sent first. */
final class AfterResponse {
  private AfterResponse() {}

  static void run(Runnable action) {
    Thread stopper =
        new Thread(
            () -> {
              try {
                Thread.sleep(1000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              action.run();
            },
            "kpm-stop");
    stopper.start();
  }
}
