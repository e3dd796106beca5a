package dev.kpm.launcher;

import dev.kpm.Settings;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;

/**
 * HTTPS on the launcher's port ({@code kpm.tls.*}). The keystore is opened and its key checked
 * before anything starts, so a missing or unreadable keystore, a wrong password or a missing key
 * refuses the start with one line saying which, never a fallback to plain HTTP. Tomcat's connector
 * then serves that key with TLSv1.2 and TLSv1.3 only; an optional plain HTTP port answers every
 * request with a 308 to the same path on the HTTPS port (308 keeps the method and body of a POST or
 * PUT, where a 301 or 302 may turn it into a GET).
 */
final class Https {
  /** The protocols the HTTPS connector accepts (Tomcat's syntax). */
  static final String PROTOCOLS = "TLSv1.2+TLSv1.3";

  private static final String TYPE = "PKCS12";

  private Https() {}

  /**
   * The keystore's key entry to serve, checked: the keystore opens with the password, the entry is
   * a private key with a certificate chain, and the password opens the key.
   *
   * @param alias the entry's alias
   * @param certificate its first certificate, the server's own
   */
  record Key(Path keystore, String alias, X509Certificate certificate) {}

  /**
   * Opens and checks the keystore of {@code tls} ({@link Settings.Tls#enabled()}).
   *
   * @throws IllegalArgumentException saying what is wrong and which setting to change
   */
  static Key open(Settings.Tls tls) {
    Path path = tls.keystore().orElseThrow();
    KeyStore store = load(path, tls.keystorePassword());
    try {
      List<String> keys = new ArrayList<>();
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias)) {
          keys.add(alias);
        }
      }
      String alias = tls.keyAlias().orElse(keys.size() == 1 ? keys.get(0) : null);
      if (alias == null) {
        throw refused(
            path,
            keys.isEmpty()
                ? "it holds no private key"
                : "it holds "
                    + keys.size()
                    + " private keys ("
                    + String.join(", ", keys)
                    + "): choose one with "
                    + names(Settings.Key.TLS_KEY_ALIAS));
      }
      if (!store.isKeyEntry(alias)) {
        throw refused(
            path,
            "it has no private key named '"
                + alias
                + "' ("
                + names(Settings.Key.TLS_KEY_ALIAS)
                + "); its private keys: "
                + (keys.isEmpty() ? "none" : String.join(", ", keys)));
      }
      try {
        store.getKey(alias, tls.keystorePassword().toCharArray());
      } catch (UnrecoverableKeyException e) {
        throw refused(path, "its key '" + alias + "' does not open with the keystore password");
      }
      Certificate[] chain = store.getCertificateChain(alias);
      if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
        throw refused(path, "its key '" + alias + "' has no X.509 certificate");
      }
      return new Key(path, alias, (X509Certificate) chain[0]);
    } catch (GeneralSecurityException e) {
      throw refused(path, e.toString());
    }
  }

  private static KeyStore load(Path path, String password) {
    try (InputStream in = Files.newInputStream(path)) {
      KeyStore store = KeyStore.getInstance(TYPE);
      store.load(in, password.toCharArray());
      return store;
    } catch (NoSuchFileException e) {
      throw refused(path, "no such file (" + names(Settings.Key.TLS_KEYSTORE) + ")");
    } catch (AccessDeniedException e) {
      throw refused(path, "permission denied");
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw refused(path, "wrong password (" + names(Settings.Key.TLS_KEYSTORE_PASSWORD) + ")");
      }
      throw refused(path, "not a readable PKCS#12 keystore: " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw refused(path, "not a readable PKCS#12 keystore: " + e);
    }
  }

  private static IllegalArgumentException refused(Path path, String why) {
    return new IllegalArgumentException("cannot use the TLS keystore " + path + ": " + why);
  }

  private static String names(Settings.Key key) {
    return key.property + ", " + key.env;
  }

  /** The HTTPS connector on {@code port}, serving {@code key}. */
  static Connector connector(int port, Key key, String password) {
    SSLHostConfig host = new SSLHostConfig();
    host.setProtocols(PROTOCOLS);
    SSLHostConfigCertificate certificate =
        new SSLHostConfigCertificate(host, SSLHostConfigCertificate.Type.UNDEFINED);
    certificate.setCertificateKeystoreFile(key.keystore().toString());
    certificate.setCertificateKeystoreType(TYPE);
    certificate.setCertificateKeystorePassword(password);
    certificate.setCertificateKeyAlias(key.alias());
    host.addCertificate(certificate);
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(port);
    connector.setScheme("https");
    connector.setSecure(true);
    connector.setProperty("SSLEnabled", "true");
    connector.addSslHostConfig(host);
    return connector;
  }

  /** The plain HTTP connector on {@code port} whose requests {@link RedirectValve} redirects. */
  static Connector redirectConnector(int port, int httpsPort) {
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(port);
    connector.setRedirectPort(httpsPort);
    return connector;
  }

  /**
   * The https URL of a plain request: its host name (the {@code Host} header), the HTTPS port, and
   * its path and query as they were sent.
   */
  static String location(String host, int httpsPort, String uri, String query) {
    StringBuilder url = new StringBuilder("https://");
    url.append(host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host);
    if (httpsPort != 443) {
      url.append(':').append(httpsPort);
    }
    url.append(uri);
    if (query != null) {
      url.append('?').append(query);
    }
    return url.toString();
  }

  /**
   * On the engine, before any web application: a request that did not come over TLS gets a 308 to
   * its https URL and goes no further; others pass.
   */
  static final class RedirectValve extends ValveBase {
    private final int httpsPort;

    RedirectValve(int httpsPort) {
      super(true);
      this.httpsPort = httpsPort;
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
      if (request.isSecure()) {
        getNext().invoke(request, response);
        return;
      }
      response.setStatus(308);
      response.setHeader(
          "Location",
          location(
              request.getServerName(),
              httpsPort,
              request.getRequestURI(),
              request.getQueryString()));
      response.setContentLength(0);
    }
  }
}
