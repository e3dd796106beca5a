package dev.kpm;

import jakarta.servlet.GenericServlet;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;

/**
 * Hands a request of an exact servlet mapping ({@code /metrics}) to kpm's JAX-RS servlet as if it
 * had come through that servlet's {@code /*} mapping. A container may map a servlet of its own
 * under a path kpm serves: Payara Micro adds its MicroProfile Metrics servlet at {@code /metrics/*}
 * to an application deployed at the root, and a prefix mapping is longer than kpm's {@code /*}. An
 * exact mapping wins over any prefix mapping (Servlet 6.1, §12.2), but Jersey takes a servlet path
 * as its base URI; so the request is shown to Jersey with the path as path info, and the servlet
 * path empty.
 */
final class ExactPathServlet extends GenericServlet {
  private final transient Servlet jaxrs;

  ExactPathServlet(Servlet jaxrs) {
    this.jaxrs = jaxrs;
  }

  @Override
  public void service(ServletRequest req, ServletResponse res)
      throws ServletException, IOException {
    if (!(req instanceof HttpServletRequest request)) {
      jaxrs.service(req, res);
      return;
    }
    String path =
        request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
    jaxrs.service(
        new HttpServletRequestWrapper(request) {
          @Override
          public String getServletPath() {
            return "";
          }

          @Override
          public String getPathInfo() {
            return path;
          }
        },
        res);
  }
}
