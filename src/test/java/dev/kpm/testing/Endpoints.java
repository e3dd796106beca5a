package dev.kpm.testing;

import dev.kpm.KpmApplication;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;

/**
 * Every endpoint kpm serves: the JAX-RS resource model of {@link KpmApplication} (which includes
 * every path the fast read path answers ahead of Jersey, since it answers only reads Jersey also
 * has) — one enumeration, shared by the role test and the OpenAPI test.
 */
public final class Endpoints {
  private static final Pattern REGEX_PARAM = Pattern.compile("\\{(\\w+)\\s*:\\s*([^}]*)\\}");

  /**
   * One endpoint.
   *
   * @param template the path with {@code {parameters}}, regular expressions removed
   * @param concretePaths the template with each parameter that has a regular expression of
   *     alternatives replaced by each alternative, and every other parameter by {@code x1}
   * @param produces the media types the method declares it answers ({@code @Produces}, its own or
   *     its class's), as written
   */
  public record Endpoint(
      String method, String template, List<String> concretePaths, List<String> produces) {
    @Override
    public String toString() {
      return method + " " + template;
    }
  }

  private Endpoints() {}

  /** Every endpoint of the application, sorted. */
  public static List<Endpoint> of(KpmApplication application) {
    Set<Class<?>> classes = new java.util.LinkedHashSet<>(application.getClasses());
    for (Object o : application.getInstances()) {
      classes.add(o.getClass());
    }
    List<Endpoint> out = new ArrayList<>();
    for (Class<?> c : classes) {
      if (!Resource.isAcceptable(c) || c.getAnnotation(jakarta.ws.rs.Path.class) == null) {
        continue;
      }
      walk(Resource.from(c), "", out);
    }
    out.sort(java.util.Comparator.comparing(Endpoint::toString));
    return out;
  }

  private static void walk(Resource resource, String prefix, List<Endpoint> out) {
    String path = join(prefix, resource.getPath());
    for (ResourceMethod m : resource.getResourceMethods()) {
      out.add(
          endpoint(
              m.getHttpMethod(),
              path,
              m.getProducedTypes().stream().map(Object::toString).toList()));
    }
    for (Resource child : resource.getChildResources()) {
      walk(child, path, out);
    }
  }

  private static String join(String prefix, String path) {
    String p = path == null ? "" : path;
    String joined = (prefix + "/" + p).replaceAll("/+", "/");
    if (joined.length() > 1 && joined.endsWith("/")) {
      joined = joined.substring(0, joined.length() - 1);
    }
    return joined.isEmpty() ? "/" : joined;
  }

  private static Endpoint endpoint(String method, String raw, List<String> produces) {
    Matcher m = REGEX_PARAM.matcher(raw);
    String template = m.replaceAll("{$1}");
    List<String> paths = new ArrayList<>();
    paths.add(template);
    m.reset();
    while (m.find()) {
      List<String> next = new ArrayList<>();
      for (String alternative : m.group(2).split("\\|")) {
        for (String p : paths) {
          next.add(p.replace("{" + m.group(1) + "}", alternative.strip()));
        }
      }
      paths = next;
    }
    List<String> concrete = new ArrayList<>(new TreeSet<>(paths));
    concrete.replaceAll(p -> p.replaceAll("\\{\\w+\\}", "x1"));
    return new Endpoint(method, template, concrete, produces);
  }
}
