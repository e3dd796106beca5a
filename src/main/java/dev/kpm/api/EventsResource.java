package dev.kpm.api;

import dev.kpm.events.EventBus;
import dev.kpm.events.KpmEvent;
import dev.kpm.security.Caller;
import dev.kpm.security.Role;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.Map;
import java.util.logging.Logger;

/**
 * kpm's {@code GET /events} (docs/api.md §8.16): lifecycle events as Server-Sent Events. A client
 * reconnecting with {@code Last-Event-ID} (or {@code ?lastEventId=}, for clients that cannot set
 * headers) first gets what it missed from the buffer, or a {@code reset} event when the buffer no
 * longer holds it; comment lines keep idle streams open through proxies. What makes a change (the
 * principal) is shown to admins only.
 */
@Path("/events")
@Singleton
public final class EventsResource {
  private static final Logger LOG = Logger.getLogger(EventsResource.class.getName());
  private final EventBus bus;

  @Inject
  public EventsResource(EventBus bus) {
    this.bus = bus;
  }

  @GET
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public void stream(
      @HeaderParam("Last-Event-ID") String lastEventIdHeader,
      @QueryParam("lastEventId") String lastEventIdQuery,
      @Context SecurityContext security,
      @Context SseEventSink sink,
      @Context Sse sse) {
    boolean admin =
        security != null
            && security.getUserPrincipal() instanceof Caller caller
            && caller.role() == Role.ADMIN;
    Long lastSeen = lastSeen(lastEventIdHeader != null ? lastEventIdHeader : lastEventIdQuery);
    AutoCloseable[] subscription = new AutoCloseable[1];
    EventBus.Listener listener =
        new EventBus.Listener() {
          @Override
          public void event(KpmEvent e) {
            send(
                sse.newEventBuilder()
                    .id(Long.toString(e.id()))
                    .name(e.type())
                    .mediaType(MediaType.APPLICATION_JSON_TYPE)
                    .data(Map.class, e.shownTo(admin))
                    .build());
          }

          @Override
          public void heartbeat() {
            send(sse.newEventBuilder().comment("heartbeat").build());
          }

          private void send(OutboundSseEvent event) {
            if (sink.isClosed()) {
              close();
              throw new IllegalStateException("the stream is closed");
            }
            sink.send(event)
                .whenComplete(
                    (ok, failure) -> {
                      if (failure != null) {
                        close();
                      }
                    });
          }

          private void close() {
            try {
              if (subscription[0] != null) {
                subscription[0].close();
              }
              sink.close();
            } catch (Exception e) {
              LOG.fine(() -> "closing an event stream: " + e);
            }
          }
        };
    // The stream starts with a comment so that clients (and proxies) see it open at once.
    sink.send(sse.newEventBuilder().comment("kpm events").build());
    subscription[0] =
        bus.subscribe(
            lastSeen,
            listener,
            oldest ->
                sink.send(
                    sse.newEventBuilder()
                        .name("reset")
                        .mediaType(MediaType.APPLICATION_JSON_TYPE)
                        .data(
                            Map.class,
                            Map.of(
                                "type",
                                "reset",
                                "reason",
                                "events after "
                                    + lastSeen
                                    + " are no longer held; reload the state and follow on",
                                "oldest",
                                oldest))
                        .build()));
  }

  /** A {@code Last-Event-ID}: a number, else none (a new stream). */
  private static Long lastSeen(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      long id = Long.parseLong(value.strip());
      return id < 0 ? null : id;
    } catch (NumberFormatException e) {
      return 0L; // not one of ours: everything held, or a reset
    }
  }
}
