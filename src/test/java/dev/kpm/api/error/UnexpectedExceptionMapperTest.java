package dev.kpm.api.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class UnexpectedExceptionMapperTest {

  @Test
  void answers500WithALoggedReferenceAndNoInternals() {
    List<LogRecord> logged = new ArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            logged.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger logger = Logger.getLogger(UnexpectedExceptionMapper.class.getName());
    logger.addHandler(capture);
    try {
      Response response =
          new UnexpectedExceptionMapper()
              .toResponse(new IllegalStateException("SELECT secret FROM /etc/passwd"));
      String body = (String) response.getEntity();
      assertEquals(500, response.getStatus());
      assertEquals("application/json", response.getMediaType().toString());
      Matcher m =
          Pattern.compile(
                  "\\{\"error\":1000,\"message\":\"internal error, reference ([0-9a-f-]{36}) in the"
                      + " kpm log\"}\n")
              .matcher(body);
      assertTrue(m.matches(), body);
      assertFalse(body.contains("secret"));
      assertEquals(1, logged.size());
      assertTrue(logged.get(0).getMessage().contains(m.group(1)));
      assertEquals("SELECT secret FROM /etc/passwd", logged.get(0).getThrown().getMessage());
    } finally {
      logger.removeHandler(capture);
    }
  }
}
