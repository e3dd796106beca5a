package dev.kpm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kpm.testing.ApiTest;
import org.junit.jupiter.api.Test;

/** In a shared container kpm stops itself, not the JVM: afterwards every request is a 503. */
class ContainerStopIT extends ApiTest {

  @Test
  void afterKpmStoppedEveryRequestAnswers503UntilRestarted() {
    assertEquals(200, target("plugins/sources").request().get().getStatus());
    kpm.runtime().close();
    var response = target("plugins/sources").request().get();
    assertEquals(503, response.getStatus());
    assertEquals(
        "{\"error\":1000,\"message\":\"kpm is stopped; restart the web application to start it"
            + " again\"}\n",
        response.readEntity(String.class));
  }
}
