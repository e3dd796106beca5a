package dev.kpm.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.Settings;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's keystore checks that need no key (an empty PKCS#12 store made in memory), and the
 * redirect's https URL. The keys made by keytool are LauncherTlsIT's.
 */
class HttpsTest {
  @TempDir Path dir;

  private static Settings.Tls tls(Path keystore, String password) {
    return new Settings.Tls(Optional.of(keystore), password, Optional.empty(), 0);
  }

  private static String refusal(Settings.Tls tls) {
    return assertThrows(IllegalArgumentException.class, () -> Https.open(tls)).getMessage();
  }

  private Path emptyKeystore(String password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    Path file = dir.resolve("empty.p12");
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password.toCharArray());
    }
    return file;
  }

  @Test
  void aMissingKeystoreIsRefusedNamingTheFileAndTheSetting() {
    Path missing = dir.resolve("missing.p12");
    assertEquals(
        "cannot use the TLS keystore "
            + missing
            + ": no such file (kpm.tls.keystore, KPM_TLS_KEYSTORE)",
        refusal(tls(missing, "secret")));
  }

  @Test
  void aWrongPasswordIsRefusedNamingThePasswordSetting() throws Exception {
    Path keystore = emptyKeystore("right-one");
    assertEquals(
        "cannot use the TLS keystore "
            + keystore
            + ": wrong password (kpm.tls.keystorePassword, KPM_TLS_KEYSTORE_PASSWORD)",
        refusal(tls(keystore, "wrong-one")));
  }

  @Test
  void aFileThatIsNoKeystoreIsRefused() throws Exception {
    Path text = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\n");
    String message = refusal(tls(text, "secret"));
    assertTrue(
        message.startsWith(
            "cannot use the TLS keystore " + text + ": not a readable PKCS#12 keystore: "),
        message);
  }

  @Test
  void aKeystoreWithoutAPrivateKeyIsRefused() throws Exception {
    Path keystore = emptyKeystore("right-one");
    assertEquals(
        "cannot use the TLS keystore " + keystore + ": it holds no private key",
        refusal(tls(keystore, "right-one")));
  }

  @Test
  void anAliasThatIsNotInTheKeystoreIsRefusedNamingTheAliasSetting() throws Exception {
    Path keystore = emptyKeystore("right-one");
    assertEquals(
        "cannot use the TLS keystore "
            + keystore
            + ": it has no private key named 'kpm' (kpm.tls.keyAlias, KPM_TLS_KEY_ALIAS);"
            + " its private keys: none",
        refusal(new Settings.Tls(Optional.of(keystore), "right-one", Optional.of("kpm"), 0)));
  }

  @Test
  void theRedirectKeepsHostPathAndQueryAndNamesTheHttpsPort() {
    assertEquals(
        "https://kpm.example:9443/plugins/sources?x=1&y=%20",
        Https.location("kpm.example", 9443, "/plugins/sources", "x=1&y=%20"));
    assertEquals("https://kpm.example/a%2Fb", Https.location("kpm.example", 443, "/a%2Fb", null));
    assertEquals("https://[::1]:9443/", Https.location("[::1]", 9443, "/", null));
    assertEquals("https://[::1]:9443/", Https.location("::1", 9443, "/", null));
  }
}
