package dev.kpm.api;

import dev.kpm.api.error.ErrorResponses;
import dev.kpm.audit.Act;
import dev.kpm.audit.Actor;
import dev.kpm.audit.AuditAction;
import dev.kpm.audit.AuditTrail;
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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The one gate in front of everything kpm serves (docs/api.md §10), registered before {@link
 * FastReads} and the JAX-RS servlet: gives the request an id, finds the client's address, answers
 * CORS, authenticates, checks the role {@link AccessRules} demands, caps the body, and hands on a
 * request whose {@code getUserPrincipal()} — and so JAX-RS's {@code SecurityContext} — is the
 * {@link Caller}. A refused request never reaches kpm: nothing changes.
 *
 * <p>It also opens the audit record ({@link Act}, a request attribute) of every request its row
 * names an audit action for, and ends it with the status and error text answered unless the change
 * committed it itself; refusals of clients that did not prove who they are are only counted
 * (docs/api.md §12.1).
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
  private static final Logger LOG = Logger.getLogger(SecurityFilter.class.getName());
  private static final String UPLOADS = "/config/uploads";
  private final SecurityPolicy policy;
  private final AuditTrail audit;
  private final String idPrefix;
  private final AtomicLong requestCount = new AtomicLong();
  private final RequestObserver observer;

  public SecurityFilter(SecurityPolicy policy, AuditTrail audit) {
    this(policy, audit, RequestObserver.NONE);
  }

  /** With {@code observer} told of every request once it is answered. */
  public SecurityFilter(SecurityPolicy policy, AuditTrail audit, RequestObserver observer) {
    this.policy = policy;
    this.audit = audit;
    this.observer = observer;
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
    long start = System.nanoTime();
    String method = request.getMethod();
    String path = path(request);
    Optional<AccessRules.Rule> rule = AccessRules.rule(method, path);
    int failed = 0;
    try {
      filter(request, response, chain, path, method, rule);
    } catch (IOException | ServletException | RuntimeException e) {
      failed = 500;
      throw e;
    } finally {
      observed(rule, method, failed != 0 ? failed : response.getStatus(), start);
    }
  }

  private void observed(Optional<AccessRules.Rule> rule, String method, int status, long start) {
    try {
      observer.served(
          rule.map(AccessRules.Rule::template).orElse(null),
          method,
          status,
          System.nanoTime() - start);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "request observer failed", e);
    }
  }

  private void filter(
      HttpServletRequest request,
      HttpServletResponse response,
      FilterChain chain,
      String path,
      String method,
      Optional<AccessRules.Rule> rule)
      throws IOException, ServletException {
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
    AccessRules.Need need = AccessRules.need(rule, method);
    Caller caller;
    try {
      caller = authenticate(request, need, client, requestId);
    } catch (AuthException e) {
      // Who sent it is unknown: counted per client and minute, its body never read.
      audit.refused(client, requestId, e.status(), method + " " + cut(path), e.getMessage());
      if (e.status() == 429) {
        response.setHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
      }
      refuse(response, e.status(), e.getMessage(), e.status() == 401 && hasCredential(request));
      return;
    }
    AuditAction action = rule.map(AccessRules.Rule::audit).orElse(null);
    Act act = null;
    if (caller != null && action != null) {
      AccessRules.Target target = rule.get().target(path);
      act = audit.open(actor(caller), action).plugin(target.type(), target.name());
    }
    Role needed = need.role();
    if (caller != null && needed != null && !caller.role().includes(needed)) {
      String message =
          method
              + " "
              + path
              + " needs the "
              + needed.wire()
              + " role; "
              + caller.subject()
              + " ("
              + caller.method().wire()
              + ") has "
              + caller.role().wire();
      finish(
          act != null
              ? act
              : new Act(actor(caller), AuditAction.REQUEST_REFUSED)
                  .detail(method + " " + cut(path)),
          403,
          message);
      refuse(response, 403, message, false);
      return;
    }
    HttpServletRequest admitted = caller == null ? request : new AdmittedRequest(request, caller);
    if (hasBody(request)) {
      long length = request.getContentLengthLong();
      // A form upload streams to disk: its own cap, counted by the store when chunked.
      boolean upload = isFormUpload(request, path);
      long cap = upload ? policy.maxUploadBytes() : policy.maxBodyBytes();
      String setting = upload ? "kpm.uploads.maxBytes" : "kpm.http.maxBodyBytes";
      if (length > cap) {
        tooLarge(response, act, cap, setting);
        return;
      }
      if (length < 0 && !upload) {
        byte[] body = readCapped(request.getInputStream(), cap);
        if (body == null) {
          tooLarge(response, act, cap, setting);
          return;
        }
        admitted = new BufferedBodyRequest(admitted, body);
      }
    }
    if (act == null) {
      chain.doFilter(admitted, response);
      return;
    }
    admitted.setAttribute(Act.class.getName(), act);
    CapturedResponse captured = new CapturedResponse(response);
    try {
      chain.doFilter(admitted, captured);
    } catch (IOException | ServletException | RuntimeException e) {
      finish(act, 500, String.valueOf(e.getMessage()));
      throw e;
    }
    finish(act, captured.getStatus(), captured.errorMessage());
    captured.release();
  }

  /** Writes the act's event unless its change committed it; a failure is logged, never answered. */
  private void finish(Act act, int status, String error) {
    try {
      audit.finish(act, status, error);
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "audit: cannot record " + act.action().wire(), e);
      act.recorded(); // its event is lost (logged), but the act is over all the same
    }
  }

  private static Actor actor(Caller caller) {
    return new Actor(
        caller.subject(), caller.method().wire(), caller.clientAddress(), caller.requestId());
  }

  private static String cut(String path) {
    return path.length() > 300 ? path.substring(0, 300) + "…" : path;
  }

  /**
   * The caller, or null for a public path; the role is checked by the caller of this.
   *
   * @throws AuthException the refusal of a client that did not prove who it is
   */
  private Caller authenticate(
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

  private void tooLarge(HttpServletResponse response, Act act, long cap, String setting)
      throws IOException {
    String message = "request body larger than " + cap + " bytes (" + setting + ")";
    if (act != null) {
      finish(act, 413, message);
    }
    refuse(response, 413, message, false);
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
