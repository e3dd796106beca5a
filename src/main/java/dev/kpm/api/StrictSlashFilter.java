package dev.kpm.api;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;

/**
 * eKuiper's router has no strict-slash: {@code /plugins/sources/} matches no route and is a 404.
 * Jersey would match it; this filter restores the reference behaviour.
 */
@PreMatching
public final class StrictSlashFilter implements ContainerRequestFilter {
  @Override
  public void filter(ContainerRequestContext request) {
    String path = request.getUriInfo().getPath(false);
    if (path.length() > 1 && path.endsWith("/")) {
      throw new NotFoundException();
    }
  }
}
