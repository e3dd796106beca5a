package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.ws.rs.core.Response;

/** Assertions on eKuiper's text and error responses. */
final class NativeTestSupport {
  private NativeTestSupport() {}

  static void assertText(Response r, int status, String text) {
    assertEquals(text, r.readEntity(String.class));
    assertEquals(status, r.getStatus());
  }

  static void assertError(Response r, int status, String message) {
    assertEquals(
        "{\"error\":" + (status == 404 ? 1002 : 1000) + ",\"message\":\"" + message + "\"}\n",
        r.readEntity(String.class));
    assertEquals(status, r.getStatus());
  }
}
