package dev.kpm;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import javax.naming.Context;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/** The standard lookup chain for {@link Settings}: system properties, environment, JNDI env. */
public final class SettingSources {
  private SettingSources() {}

  public static Settings.Source standard() {
    return chain(System.getProperties(), System.getenv(), SettingSources::jndi);
  }

  static Settings.Source chain(
      Properties properties, Map<String, String> env, Settings.Source jndi) {
    return key ->
        Optional.ofNullable(properties.getProperty(key.property))
            .or(() -> Optional.ofNullable(env.get(key.env)))
            .or(() -> jndi.get(key));
  }

  private static Optional<String> jndi(Settings.Key key) {
    try {
      Context context = new InitialContext();
      try {
        Object value = context.lookup("java:comp/env/" + key.jndi);
        return Optional.ofNullable(value).map(Object::toString);
      } finally {
        context.close();
      }
    } catch (NamingException | RuntimeException e) {
      // Not bound, or no JNDI at all (tests, the launcher before deployment): not configured there.
      return Optional.empty();
    }
  }
}
