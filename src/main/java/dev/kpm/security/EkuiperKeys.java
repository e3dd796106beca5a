package dev.kpm.security;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * eKuiper's key folder, {@code etc/mgmt} under the home: each file a PEM public key (or
 * certificate) whose file name is the {@code iss} of the JWTs it verifies, matched without regard
 * to case. Re-read when the folder changes: its modification time is compared at most every 100 ms
 * (one {@code stat}, not one per request), and every file's name, time and size at most once a
 * second, so an added, removed or replaced key counts within about a second. {@link #generation()}
 * changes with every reload.
 */
final class EkuiperKeys {
  private static final Logger LOG = Logger.getLogger(EkuiperKeys.class.getName());
  private static final long MAX_KEY_FILE_BYTES = 64 * 1024;
  private static final long RESCAN_NANOS = 1_000_000_000L;

  /** The folder's time is looked at no more often than this (a change shows within it). */
  private static final long CHECK_NANOS = 100_000_000L;

  private record Snapshot(long folderTime, String files, Map<String, RSAPublicKey> keys) {}

  private final Path folder;
  private volatile Snapshot snapshot = new Snapshot(Long.MIN_VALUE, "", Map.of());
  private volatile long scannedAt = System.nanoTime() - 2 * RESCAN_NANOS;
  private volatile long generation;
  private volatile long checkedAt = System.nanoTime() - 2 * CHECK_NANOS;

  EkuiperKeys(Path folder) {
    this.folder = folder;
  }

  /** The key for this issuer, if the folder has one. */
  Optional<RSAPublicKey> key(String issuer) {
    refresh();
    return Optional.ofNullable(snapshot.keys().get(issuer.toLowerCase(Locale.ROOT)));
  }

  /** Changes whenever the keys do; verified tokens remember it. */
  long generation() {
    refresh();
    return generation;
  }

  private void refresh() {
    long now = System.nanoTime();
    if (now - checkedAt < CHECK_NANOS) {
      return; // the folder was looked at a moment ago: no system call on the hot read path
    }
    checkedAt = now;
    long folderTime = folderTime();
    Snapshot current = snapshot;
    if (folderTime == current.folderTime() && now - scannedAt < RESCAN_NANOS) {
      return;
    }
    synchronized (this) {
      current = snapshot;
      String files = listing();
      scannedAt = now;
      if (files.equals(current.files()) && folderTime == current.folderTime()) {
        return;
      }
      snapshot = new Snapshot(folderTime, files, load());
      generation++;
    }
  }

  private long folderTime() {
    try {
      return Files.getLastModifiedTime(folder).toMillis();
    } catch (IOException e) {
      return Long.MIN_VALUE + 1;
    }
  }

  /** Names, times and sizes of the files: what a change is measured by. */
  private String listing() {
    StringBuilder out = new StringBuilder();
    if (!Files.isDirectory(folder)) {
      return "";
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
      for (Path file : files) {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        out.append(file.getFileName())
            .append('\0')
            .append(a.lastModifiedTime().toMillis())
            .append('\0')
            .append(a.size())
            .append('\n');
      }
    } catch (IOException e) {
      LOG.warning("cannot list the key folder " + folder + ": " + e.getMessage());
    }
    return out.toString();
  }

  private Map<String, RSAPublicKey> load() {
    Map<String, RSAPublicKey> keys = new HashMap<>();
    if (!Files.isDirectory(folder)) {
      return keys;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (!Files.isRegularFile(file) || Files.size(file) > MAX_KEY_FILE_BYTES) {
          continue;
        }
        try {
          keys.put(name.toLowerCase(Locale.ROOT), parse(Files.readString(file)));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
          // eKuiper keeps private keys beside public ones; those are not verification keys.
          LOG.fine(() -> "not an RSA public key, skipped: " + file + ": " + e.getMessage());
        }
      }
    } catch (IOException e) {
      LOG.warning("cannot read the key folder " + folder + ": " + e.getMessage());
    }
    LOG.info(() -> "eKuiper JWT keys in " + folder + ": " + keys.keySet());
    return keys;
  }

  /**
   * An RSA public key from PEM: {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo), {@code RSA PUBLIC
   * KEY} (PKCS#1) or {@code CERTIFICATE}, as eKuiper's parser accepts.
   */
  static RSAPublicKey parse(String pem) throws GeneralSecurityException {
    String label = label(pem);
    byte[] der = Base64.getMimeDecoder().decode(body(pem, label));
    PublicKey key =
        switch (label) {
          case "PUBLIC KEY" ->
              KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
          case "RSA PUBLIC KEY" -> KeyFactory.getInstance("RSA").generatePublic(pkcs1(der));
          case "CERTIFICATE" -> certificateKey(der);
          default -> throw new GeneralSecurityException("PEM block " + label + " is not a key");
        };
    if (!(key instanceof RSAPublicKey rsa)) {
      throw new GeneralSecurityException("not an RSA key");
    }
    return rsa;
  }

  private static PublicKey certificateKey(byte[] der) throws GeneralSecurityException {
    try (InputStream in = new java.io.ByteArrayInputStream(der)) {
      return CertificateFactory.getInstance("X.509").generateCertificate(in).getPublicKey();
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static String label(String pem) throws GeneralSecurityException {
    int begin = pem.indexOf("-----BEGIN ");
    int end = begin < 0 ? -1 : pem.indexOf("-----", begin + 11);
    if (end < 0) {
      throw new GeneralSecurityException("no PEM block");
    }
    return pem.substring(begin + 11, end);
  }

  private static String body(String pem, String label) throws GeneralSecurityException {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end, from);
    if (to < 0) {
      throw new GeneralSecurityException("unterminated PEM block " + label);
    }
    return pem.substring(from + begin.length(), to);
  }

  /** PKCS#1 RSAPublicKey: SEQUENCE { modulus INTEGER, publicExponent INTEGER }. */
  private static RSAPublicKeySpec pkcs1(byte[] der) throws GeneralSecurityException {
    Der in = new Der(der);
    in.expect(0x30);
    BigInteger modulus = in.integer();
    BigInteger exponent = in.integer();
    return new RSAPublicKeySpec(modulus, exponent);
  }

  /** Just enough DER to read two INTEGERs, with every length checked. */
  private static final class Der {
    private final byte[] bytes;
    private int at;

    Der(byte[] bytes) {
      this.bytes = bytes;
    }

    int expect(int tag) throws GeneralSecurityException {
      if (at >= bytes.length || (bytes[at++] & 0xff) != tag) {
        throw new GeneralSecurityException("malformed PKCS#1 key");
      }
      return length();
    }

    BigInteger integer() throws GeneralSecurityException {
      int length = expect(0x02);
      if (length <= 0 || at + length > bytes.length) {
        throw new GeneralSecurityException("malformed PKCS#1 key");
      }
      BigInteger value = new BigInteger(1, java.util.Arrays.copyOfRange(bytes, at, at + length));
      at += length;
      return value;
    }

    private int length() throws GeneralSecurityException {
      if (at >= bytes.length) {
        throw new GeneralSecurityException("malformed PKCS#1 key");
      }
      int first = bytes[at++] & 0xff;
      if (first < 0x80) {
        return first;
      }
      int count = first & 0x7f;
      if (count == 0 || count > 3 || at + count > bytes.length) {
        throw new GeneralSecurityException("malformed PKCS#1 key");
      }
      int length = 0;
      for (int i = 0; i < count; i++) {
        length = (length << 8) | (bytes[at++] & 0xff);
      }
      return length;
    }
  }
}
