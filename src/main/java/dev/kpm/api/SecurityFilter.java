package dev.kpm.api;

import dev.kpm.api.error.ErrorResponses;
import dev.kpm.security.AccessRules;
import dev.kpm.security.AuthException;
import dev.kpm.security.Authenticator;
import dev.kpm.security.Caller;
import dev.kpm.security.ClientAddresses;
import dev.kpm.security.Role;
import dev.kpm.security.SecurityPolicy;
import dev.kpm.upload.UploadForms;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The one gate in front of everything kpm serves (docs/api.md §10), registered before {@link
 * FastReads} and the JAX-RS servlet: gives the request an id, finds the client's address, answers
 * CORS, authenticates, checks the role {@link AccessRules} demands, caps the body, and hands on a
 * request whose {@code getUserPrincipal()} — and so JAX-RS's {@code SecurityContext} — is the
 * {@link Caller}. A refused request never reaches kpm: nothing changes.
 *
 * <p>One request is exempt from the body cap: a form upload, {@code POST /config/uploads} with a
 * body that is not JSON, whose body is a file of up to {@code kpm.uploads.maxBytes}. Its
 * Content-Length is checked against that cap here; a chunked one goes on unread and unbuffered, and
 * the upload store counts it as it streams it to disk (docs/api.md §11).
 */
public final class SecurityFilter implements Filter {
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final String ALLOWED_HEADERS =
      "Authorization, Content-Type, Prefer, Last-Event-ID, X-Request-Id";
  private static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS";
  private static final String UPLOADS = "/config/uploads";
  private final SecurityPolicy policy;
  private final String idPrefix;
  private final AtomicLong requestCount = new AtomicLong();

  public SecurityFilter(SecurityPolicy policy) {
    this.policy = policy;
    byte[] random = new byte[6];
    new SecureRandom().nextBytes(random);
    this.idPrefix = HexFormat.of().formatHex(random) + "-";
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request)
        || !(res instanceof HttpServletResponse response)) {
      chain.doFilter(req, res);
      return;
    }
    String requestId = requestId(request.getHeader("X-Request-Id"));
    response.setHeader("X-Request-Id", requestId);
    ClientAddresses clients = policy.clients();
    String client =
        clients.trustsAny()
            ? clients.client(
                request.getRemoteAddr(), Collections.list(request.getHeaders("X-Forwarded-For")))
            : request.getRemoteAddr();
    String origin = request.getHeader("Origin");
    boolean cors = policy.corsAllows(origin);
    if (cors) {
      response.setHeader("Access-Control-Allow-Origin", origin);
      response.addHeader("Vary", "Origin");
      response.setHeader("Access-Control-Expose-Headers", "Location, X-Request-Id");
    }
    if ("OPTIONS".equals(request.getMethod())
        && origin != null
        && request.getHeader("Access-Control-Request-Method") != null) {
      preflight(response, cors, origin);
      return;
    }
    String path = path(request);
    AccessRules.Need need = AccessRules.need(request.getMethod(), path);
    Caller caller;
    try {
      caller = authorize(request, need, client, requestId);
    } catch (AuthException e) {
      if (e.status() == 429) {
        response.setHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
      }
      refuse(response, e.status(), e.getMessage(), e.status() == 401 && hasCredential(request));
      return;
    }
    HttpServletRequest admitted = caller == null ? request : new AdmittedRequest(request, caller);
    if (hasBody(request)) {
      long length = request.getContentLengthLong();
      if (isFormUpload(request, path)) {
        if (length > policy.maxUploadBytes()) {
          refuse(
              response,
              413,
              "request body larger than "
                  + policy.maxUploadBytes()
                  + " bytes (kpm.uploads.maxBytes)",
              false);
          return;
        }
        chain.doFilter(admitted, response);
        return;
      }
      if (length > policy.maxBodyBytes()) {
        tooLarge(response);
        return;
      }
      if (length < 0) {
        byte[] body = readCapped(request.getInputStream(), policy.maxBodyBytes());
        if (body == null) {
          tooLarge(response);
          return;
        }
        admitted = new BufferedBodyRequest(admitted, body);
      }
    }
    chain.doFilter(admitted, response);
  }

  /**
   * The caller, or null for a public path.
   *
   * @throws AuthException the refusal
   */
  private Caller authorize(
      HttpServletRequest request, AccessRules.Need need, String client, String requestId) {
    if (policy.authenticator().none()) {
      if (policy.protectedMode() && !ClientAddresses.isLoopback(client)) {
        throw AuthException.forbidden(
            "kpm runs without authentication (kpm.auth=none) in protected mode, so it serves only"
                + " loopback clients, and this request came from "
                + client
                + ". Enable authentication with kpm.auth (KPM_AUTH) = token, ekuiper or oidc, or"
                + " turn protected mode off deliberately with kpm.auth.protectedMode=false"
                + " (KPM_AUTH_PROTECTED_MODE=false)");
      }
      // A loopback connection may be a browser running a page of any web site (a cross-site
      // form or fetch, or a DNS-rebound name): browsers name that page in Origin (always for a
      // cross-origin request and for every method but GET and HEAD), so a page kpm.cors.origins
      // does not list may not drive an unauthenticated kpm.
      String origin = request.getHeader("Origin");
      if (policy.protectedMode()
          && origin != null
          && !policy.corsAllows(origin)
          && !ownLoopbackPage(request, origin)) {
        throw AuthException.forbidden(
            "kpm runs without authentication (kpm.auth=none) in protected mode, so it serves no"
                + " web page that kpm.cors.origins (KPM_CORS_ORIGINS) does not list, and this"
                + " request came from a page of "
                + (origin.length() > 200 ? origin.substring(0, 200) : origin)
                + ". Enable authentication with kpm.auth (KPM_AUTH) = token, ekuiper or oidc, or"
                + " list the origin in kpm.cors.origins");
      }
      return SecurityPolicy.anonymous(client, requestId);
    }
    if (need == AccessRules.Need.PUBLIC) {
      return null;
    }
    long wait = policy.failures().blockedFor(client);
    if (wait > 0) {
      throw AuthException.tooMany(
          "too many failed authentications from "
              + client
              + "; try again in "
              + wait
              + " s (kpm.auth.maxFailures)",
          wait);
    }
    Caller caller;
    try {
      caller =
          policy
              .authenticator()
              .authenticate(request.getHeader("Authorization"), client, requestId);
    } catch (AuthException e) {
      if (e.status() == 401 && hasCredential(request)) {
        // A guess, not a client that forgot its token: only guesses are limited.
        policy.failures().failed(client);
      }
      throw e;
    }
    Role needed = need.role();
    if (!caller.role().includes(needed)) {
      throw AuthException.forbidden(
          request.getMethod()
              + " "
              + path(request)
              + " needs the "
              + needed.wire()
              + " role; "
              + caller.subject()
              + " ("
              + caller.method().wire()
              + ") has "
              + caller.role().wire());
    }
    return caller;
  }

  private void preflight(HttpServletResponse response, boolean allowed, String origin)
      throws IOException {
    if (!allowed) {
      refuse(
          response,
          403,
          "origin " + origin + " may not call kpm from a browser (kpm.cors.origins)",
          false);
      return;
    }
    response.setStatus(204);
    response.setHeader("Access-Control-Allow-Methods", ALLOWED_METHODS);
    response.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
    response.setHeader("Access-Control-Max-Age", "600");
  }

  private void tooLarge(HttpServletResponse response) throws IOException {
    refuse(
        response,
        413,
        "request body larger than " + policy.maxBodyBytes() + " bytes (kpm.http.maxBodyBytes)",
        false);
  }

  private static void refuse(
      HttpServletResponse response, int status, String message, boolean badCredential)
      throws IOException {
    if (status == 401) {
      response.setHeader(
          "WWW-Authenticate",
          badCredential ? "Bearer realm=\"kpm\", error=\"invalid_token\"" : "Bearer realm=\"kpm\"");
    }
    byte[] body = ErrorResponses.body(1000, message).getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("application/json");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  /**
   * Whether the page is kpm's own, served under a loopback name ({@code localhost}, {@code
   * 127.x.x.x}, {@code [::1]}): its origin is the request's own. A DNS-rebound name is same-origin
   * too, but never a loopback name, so it stays refused.
   */
  private static boolean ownLoopbackPage(HttpServletRequest request, String origin) {
    String host = request.getHeader("Host");
    if (host == null || !origin.equals(request.getScheme() + "://" + host)) {
      return false;
    }
    String name =
        host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : host.split(":")[0];
    return name.equalsIgnoreCase("localhost") || ClientAddresses.isLoopback(name);
  }

  /** Whether a credential was sent: not for no header, a blank one, or {@code Bearer} alone. */
  private static boolean hasCredential(HttpServletRequest request) {
    return Authenticator.credentialOf(request.getHeader("Authorization")).isPresent();
  }

  /** A file upload: streamed, with its own cap, never buffered here. */
  private static boolean isFormUpload(HttpServletRequest request, String path) {
    return "POST".equals(request.getMethod())
        && UPLOADS.equals(path)
        && !UploadForms.isJson(request.getContentType());
  }

  private static boolean hasBody(HttpServletRequest request) {
    return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
  }

  /** The body, or null when it is longer than {@code cap}. */
  private static byte[] readCapped(InputStream in, long cap) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    long total = 0;
    for (int n; (n = in.read(buffer)) > 0; ) {
      total += n;
      if (total > cap) {
        return null;
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  /** The path inside the application, decoded and normalised by the container. */
  static String path(HttpServletRequest request) {
    String servletPath = request.getServletPath();
    String info = request.getPathInfo();
    String path = (servletPath == null ? "" : servletPath) + (info == null ? "" : info);
    return path.isEmpty() ? "/" : path;
  }

  private String requestId(String sent) {
    if (sent != null && REQUEST_ID.matcher(sent).matches()) {
      return sent;
    }
    // Unique per process without a SecureRandom call on the hot read path.
    return idPrefix + Long.toString(requestCount.incrementAndGet(), 36);
  }
}
