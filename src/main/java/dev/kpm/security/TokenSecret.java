package dev.kpm.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * The secret of a kpm API token: {@code kpm_} + 36 random base62 characters (214 bits) + a 6
 * character base62 CRC-32 of the random part, like GitHub's and Grafana's tokens. The prefix lets
 * secret scanners find a leaked one; the checksum lets kpm refuse a mistyped or made-up one without
 * a database read. Only {@link #hash} is stored.
 */
public final class TokenSecret {
  public static final String PREFIX = "kpm_";
  static final int RANDOM_CHARS = 36;
  static final int CHECK_CHARS = 6;
  public static final int LENGTH = PREFIX.length() + RANDOM_CHARS + CHECK_CHARS;
  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  private TokenSecret() {}

  /** A new secret. */
  public static String generate() {
    StringBuilder random = new StringBuilder(RANDOM_CHARS);
    for (int i = 0; i < RANDOM_CHARS; i++) {
      random.append(BASE62.charAt(RANDOM.nextInt(BASE62.length())));
    }
    return PREFIX + random + checksum(random);
  }

  /** Whether the credential claims to be a kpm token (it may still be malformed). */
  public static boolean looksLike(String credential) {
    return credential.startsWith(PREFIX);
  }

  /** Whether the secret is well formed: length, alphabet and checksum. */
  public static boolean wellFormed(String secret) {
    if (secret.length() != LENGTH || !secret.startsWith(PREFIX)) {
      return false;
    }
    for (int i = PREFIX.length(); i < LENGTH; i++) {
      if (BASE62.indexOf(secret.charAt(i)) < 0) {
        return false;
      }
    }
    CharSequence random = secret.subSequence(PREFIX.length(), PREFIX.length() + RANDOM_CHARS);
    return MessageDigest.isEqual(
        checksum(random).getBytes(StandardCharsets.US_ASCII),
        secret.substring(LENGTH - CHECK_CHARS).getBytes(StandardCharsets.US_ASCII));
  }

  /** The stored form: SHA-256 of the whole secret, lower-case hex. */
  public static String hash(String secret) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(secret.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java", e);
    }
  }

  /** The last four characters, shown in lists so an admin can tell tokens apart. */
  public static String hint(String secret) {
    return secret.substring(secret.length() - 4);
  }

  private static String checksum(CharSequence random) {
    CRC32 crc = new CRC32();
    crc.update(random.toString().getBytes(StandardCharsets.US_ASCII));
    long value = crc.getValue();
    char[] out = new char[CHECK_CHARS];
    for (int i = CHECK_CHARS - 1; i >= 0; i--) {
      out[i] = BASE62.charAt((int) (value % 62));
      value /= 62;
    }
    return new String(out);
  }
}
