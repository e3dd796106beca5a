package dev.kpm.api;

import dev.kpm.persistence.DatabaseUnavailableException;
import dev.kpm.plugin.PluginReads;
import dev.kpm.plugin.PluginType;
import dev.kpm.plugin.Registry;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The registry's hot reads answered in the servlet container, ahead of JAX-RS: a successful {@code
 * GET /plugins/{sources|sinks|functions|udfs}} and {@code GET …/{name}} sends the body {@link
 * ReadBodies} rendered for the current snapshot, so such a read costs about what a static file does
 * (issue 5, B2). Anything else — another method, a query string, a name that needs decoding or is
 * not installed, {@code prebuild}, an {@code Accept} without JSON, a stopped kpm, a snapshot that
 * cannot be loaded — goes on to Jersey, which owns every error and status. The bytes are the ones
 * the resources send.
 */
public final class FastReads implements Filter {
  private static final Logger LOG = Logger.getLogger(FastReads.class.getName());
  private static final String PREFIX = "/plugins/";
  private static final Pattern PLAIN_NAME = Pattern.compile("[a-zA-Z0-9_\\-]+");
  private final PluginReads plugins;
  private final BooleanSupplier stopped;

  public FastReads(PluginReads plugins, BooleanSupplier stopped) {
    this.plugins = plugins;
    this.stopped = stopped;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    byte[] body = null;
    if (request instanceof HttpServletRequest http && response instanceof HttpServletResponse) {
      try {
        body = body(http);
      } catch (DatabaseUnavailableException e) {
        // The snapshot cannot be renewed: JAX-RS answers 503 (and logs it).
        LOG.log(Level.FINE, "fast read passed on: " + e.getMessage(), e);
      } catch (RuntimeException e) {
        // JAX-RS answers in eKuiper's error shape, with a logged reference.
        LOG.log(Level.WARNING, "fast read failed, passed on to JAX-RS: " + e, e);
      }
    }
    if (body == null) {
      chain.doFilter(request, response);
      return;
    }
    HttpServletResponse out = (HttpServletResponse) response;
    out.setStatus(HttpServletResponse.SC_OK);
    out.setContentType("application/json");
    out.setContentLength(body.length);
    out.getOutputStream().write(body);
  }

  /** The body of a read this filter answers, or null to pass the request on. */
  private byte[] body(HttpServletRequest request) {
    if (!"GET".equals(request.getMethod())
        || request.getQueryString() != null
        || !acceptsJson(request.getHeader("Accept"))
        || stopped.getAsBoolean()) {
      return null;
    }
    String uri = request.getRequestURI();
    int start = request.getContextPath().length();
    if (!uri.startsWith(PREFIX, start)) {
      return null;
    }
    String rest = uri.substring(start + PREFIX.length());
    int slash = rest.indexOf('/');
    String word = slash < 0 ? rest : rest.substring(0, slash);
    String name = slash < 0 ? null : rest.substring(slash + 1);
    if (name != null && (!PLAIN_NAME.matcher(name).matches() || name.equals("prebuild"))) {
      return null;
    }
    boolean udfs = word.equals("udfs");
    PluginType type = nativeType(word);
    if (!udfs && type == null) {
      return null;
    }
    Registry registry = plugins.registry();
    if (udfs) {
      return name == null
          ? ReadBodies.udfs(registry)
          : registry.findUdf(name).map(udf -> ReadBodies.udf(registry, udf)).orElse(null);
    }
    return name == null
        ? ReadBodies.list(registry, type)
        : registry.find(type, name).map(p -> ReadBodies.describe(registry, p)).orElse(null);
  }

  private static PluginType nativeType(String word) {
    return switch (word) {
      case "sources" -> PluginType.SOURCES;
      case "sinks" -> PluginType.SINKS;
      case "functions" -> PluginType.FUNCTIONS;
      default -> null;
    };
  }

  /**
   * Whether JAX-RS would answer JSON to this {@code Accept}: no header, or the most specific range
   * that matches {@code application/json} has a quality above 0 (Java's HTTP clients send {@code *;
   * q=.2} for "anything"). A header this cannot read is left to JAX-RS's negotiation.
   */
  static boolean acceptsJson(String accept) {
    if (accept == null || accept.isBlank()) {
      return true;
    }
    int best = -1;
    double quality = 0;
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      int specificity =
          switch (parts[0].strip().toLowerCase(Locale.ROOT)) {
            case "application/json" -> 2;
            case "application/*" -> 1;
            case "*/*", "*" -> 0;
            default -> -1;
          };
      if (specificity < 0 || specificity < best) {
        continue;
      }
      double q = 1;
      for (int i = 1; i < parts.length; i++) {
        String[] param = parts[i].split("=", 2);
        if (param.length == 2 && param[0].strip().equalsIgnoreCase("q")) {
          try {
            q = Double.parseDouble(param[1].strip());
          } catch (NumberFormatException e) {
            return false;
          }
        }
      }
      quality = specificity > best ? q : Math.max(quality, q);
      best = specificity;
    }
    return best >= 0 && quality > 0;
  }
}
