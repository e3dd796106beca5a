package dev.kpm.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Failed authentications per client and minute, on a clock the test moves. */
class FailureLimiterTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong(1_000 * SECOND);
  private final FailureLimiter limiter = new FailureLimiter(3, now::get);

  private void at(double seconds) {
    now.set(1_000 * SECOND + (long) (seconds * SECOND));
  }

  private void fail(String client, int times) {
    for (int i = 0; i < times; i++) {
      limiter.failed(client);
    }
  }

  @Test
  void aClientIsBlockedOnceItReachesMaxFailuresAndOthersAreNot() {
    assertEquals(0, limiter.blockedFor("192.0.2.1"));
    fail("192.0.2.1", 2);
    assertEquals(0, limiter.blockedFor("192.0.2.1"), "below the maximum");
    fail("192.0.2.1", 1);
    assertEquals(60, limiter.blockedFor("192.0.2.1"), "seconds until the minute is over");
    assertEquals(0, limiter.blockedFor("192.0.2.2"));
    fail("192.0.2.2", 2);
    assertEquals(0, limiter.blockedFor("192.0.2.2"));
  }

  @Test
  void theBlockEndsWhenTheMinuteOfTheFirstFailureIsOver() {
    fail("192.0.2.1", 1);
    at(30);
    fail("192.0.2.1", 1);
    at(59);
    fail("192.0.2.1", 1);
    assertEquals(1, limiter.blockedFor("192.0.2.1"));
    at(59.999);
    assertEquals(1, limiter.blockedFor("192.0.2.1"), "never 0 while still blocked");
    at(60);
    assertEquals(0, limiter.blockedFor("192.0.2.1"));
    assertEquals(0, limiter.remembered(), "an expired window is forgotten when it is looked at");
  }

  @Test
  void failuresOfAnEndedMinuteDoNotCountInTheNext() {
    fail("192.0.2.1", 2);
    at(61);
    fail("192.0.2.1", 2);
    assertEquals(0, limiter.blockedFor("192.0.2.1"), "2 failures in this minute, not 4");
    fail("192.0.2.1", 1);
    assertEquals(60, limiter.blockedFor("192.0.2.1"));
  }

  @Test
  void memoryStaysBoundedWhenManyClientsFail() {
    for (int i = 0; i < 3 * FailureLimiter.MAX_CLIENTS; i++) {
      limiter.failed("client-" + i);
      assertTrue(
          limiter.remembered() <= FailureLimiter.MAX_CLIENTS, () -> limiter.remembered() + "");
    }
  }

  @Test
  void atCapacityTheFailuresOfARememberedClientStillCount() {
    for (int i = 0; i < FailureLimiter.MAX_CLIENTS - 1; i++) {
      limiter.failed("other-" + i);
    }
    fail("attacker", 3);
    assertEquals(FailureLimiter.MAX_CLIENTS, limiter.remembered());
    assertEquals(60, limiter.blockedFor("attacker"));
  }

  @Test
  void whenMemoryIsFullEndedMinutesAreForgottenFirstAndALiveBlockStays() {
    for (int i = 0; i < FailureLimiter.MAX_CLIENTS - 1; i++) {
      limiter.failed("old-" + i);
    }
    at(59);
    fail("attacker", 3);
    assertEquals(FailureLimiter.MAX_CLIENTS, limiter.remembered());
    at(61);
    limiter.failed("newcomer");
    assertEquals(2, limiter.remembered(), "the attacker's live window and the newcomer's");
    assertEquals(58, limiter.blockedFor("attacker"));
  }
}
