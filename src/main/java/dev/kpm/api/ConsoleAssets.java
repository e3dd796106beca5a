package dev.kpm.api;

import dev.kpm.api.error.ErrorResponses;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The admin console's files ({@code webapp/console/} in the WAR) at {@code /console/}: one flat
 * folder read once when kpm mounts, served from memory with a strict Content-Security-Policy. Only
 * the names the folder held at start are served, so no path a client sends reaches the file system.
 * The files need no credential (the SecurityFilter's table has them public); every API call the
 * console makes carries the signed-in user's token. The same servlet serves them on the launcher, a
 * standalone Tomcat and Payara, whose default servlets differ.
 */
public final class ConsoleAssets extends HttpServlet {
  /** The folder in the web application and the path it is served at. */
  public static final String PATH = "/console";

  /**
   * {@code default-src 'self'}: scripts, styles, images and API calls from kpm's own origin only,
   * no inline script or style; the console is never framed, has no base tag and posts no forms.
   */
  static final String POLICY =
      "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none';"
          + " form-action 'none'; object-src 'none'";

  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html;charset=utf-8",
          "js", "text/javascript;charset=utf-8",
          "css", "text/css;charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png",
          "ico", "image/x-icon",
          "txt", "text/plain;charset=utf-8");

  private record Asset(byte[] body, String type, String etag) {}

  private final transient Map<String, Asset> assets;

  private ConsoleAssets(Map<String, Asset> assets) {
    this.assets = assets;
  }

  /** Reads the console folder of this web application; empty when the WAR has none. */
  public static ConsoleAssets of(ServletContext context) {
    Map<String, Asset> assets = new TreeMap<>();
    Set<String> paths = context.getResourcePaths(PATH + "/");
    if (paths != null) {
      for (String path : paths) {
        String name = path.substring(PATH.length() + 1);
        String type = type(name);
        if (name.isEmpty() || name.contains("/") || type == null) {
          continue;
        }
        try (InputStream in = context.getResourceAsStream(path)) {
          if (in != null) {
            byte[] body = in.readAllBytes();
            assets.put(name, new Asset(body, type, etag(body)));
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read the console file " + path, e);
        }
      }
    }
    return new ConsoleAssets(Map.copyOf(assets));
  }

  /** The file names served, for the log. */
  public Set<String> names() {
    return assets.keySet();
  }

  private static String type(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? null : TYPES.get(name.substring(dot + 1));
  }

  private static String etag(byte[] body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
      return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String method = request.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      response.setHeader("Allow", "GET, HEAD");
      error(response, 405, "method " + method + " is not allowed for the console; use GET");
      return;
    }
    String info = request.getPathInfo();
    if (info == null) {
      // /console: relative links in the page need the trailing slash.
      response.setStatus(301);
      response.setHeader("Location", request.getContextPath() + PATH + "/");
      return;
    }
    String name = info.equals("/") ? "index.html" : info.substring(1);
    Asset asset = assets.get(name);
    if (asset == null) {
      error(
          response,
          404,
          "console file "
              + (name.length() > 100 ? name.substring(0, 100) + "…" : name)
              + " not found");
      return;
    }
    response.setHeader("Content-Security-Policy", POLICY);
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("Referrer-Policy", "no-referrer");
    // Revalidated on every load, so an upgraded WAR's console is never mixed with an old file.
    response.setHeader("Cache-Control", "no-cache");
    response.setHeader("ETag", asset.etag());
    String match = request.getHeader("If-None-Match");
    if (match != null && match.contains(asset.etag())) {
      response.setStatus(304);
      return;
    }
    response.setContentType(asset.type());
    response.setContentLength(asset.body().length);
    if (method.equals("GET")) {
      response.getOutputStream().write(asset.body());
    }
  }

  private static void error(HttpServletResponse response, int status, String message)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    byte[] body =
        ErrorResponses.body(status == 404 ? 1002 : 1000, message).getBytes(StandardCharsets.UTF_8);
    response.getOutputStream().write(body);
  }
}
