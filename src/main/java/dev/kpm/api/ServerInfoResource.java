package dev.kpm.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * eKuiper's two public endpoints: {@code GET /ping} (200, empty: the process answers) and {@code
 * GET /} (the server's version, OS, architecture and uptime). Neither needs a credential.
 */
@Path("/")
public final class ServerInfoResource {
  static final String VERSION = version();
  private final Instant started;
  private final Clock clock;

  public ServerInfoResource(Instant started, Clock clock) {
    this.started = started;
    this.clock = clock;
  }

  @GET
  @Path("ping")
  public Response ping() {
    return Response.ok().build();
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> info() {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("version", VERSION);
    info.put("os", goName(System.getProperty("os.name")));
    info.put("arch", goArch(System.getProperty("os.arch")));
    info.put("upTimeSeconds", Duration.between(started, clock.instant()).toSeconds());
    return info;
  }

  /** Go's GOOS spelling, as eKuiper reports it. */
  static String goName(String os) {
    String o = os.toLowerCase(Locale.ROOT);
    if (o.startsWith("windows")) {
      return "windows";
    }
    if (o.startsWith("mac")) {
      return "darwin";
    }
    return o.replace(" ", "");
  }

  /** Go's GOARCH spelling. */
  static String goArch(String arch) {
    return switch (arch) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "x86", "i386", "i686" -> "386";
      default -> arch;
    };
  }

  private static String version() {
    try (InputStream in =
        ServerInfoResource.class.getResourceAsStream("/dev/kpm/kpm-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
