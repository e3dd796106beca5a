package dev.kpm.testing;

import dev.kpm.shaded.com.nimbusds.jose.JOSEException;
import dev.kpm.shaded.com.nimbusds.jose.JOSEObjectType;
import dev.kpm.shaded.com.nimbusds.jose.JWSAlgorithm;
import dev.kpm.shaded.com.nimbusds.jose.JWSHeader;
import dev.kpm.shaded.com.nimbusds.jose.crypto.RSASSASigner;
import dev.kpm.shaded.com.nimbusds.jwt.JWTClaimsSet;
import dev.kpm.shaded.com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;

/**
 * Real RSA keys and JWTs signed with them, for the authentication tests: keys generated at test
 * time, public keys written as the PEM files eKuiper keeps in {@code etc/mgmt}, tokens signed by
 * nimbus-jose-jwt as any JWT library would sign them.
 */
public final class TestJwts {
  private TestJwts() {}

  /** A fresh RSA 2048 key pair. */
  public static KeyPair rsa() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public key as PEM {@code PUBLIC KEY}: base64 of its X.509 encoding, 64-char lines. */
  public static String publicPem(PublicKey key) {
    return pem("PUBLIC KEY", key.getEncoded());
  }

  /** The private key as PEM {@code PRIVATE KEY} (PKCS#8), as eKuiper keeps beside public ones. */
  public static String privatePem(PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  /** A PEM block of that label around these bytes. */
  public static String pem(String label, byte[] der) {
    String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + base64 + "\n-----END " + label + "-----\n";
  }

  /** Writes the public key of {@code keys} as {@code folder/name}, creating the folder. */
  public static Path writePublicKey(Path folder, String name, KeyPair keys) {
    try {
      Files.createDirectories(folder);
      return Files.writeString(folder.resolve(name), publicPem(keys.getPublic()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The compact JWT of these claims, signed RS256 with the private key of {@code keys}. */
  public static String rs256(KeyPair keys, JWTClaimsSet claims) {
    return sign(keys, new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT), claims);
  }

  /** As {@link #rs256(KeyPair, JWTClaimsSet)}, with a {@code kid} in the header. */
  public static String rs256(KeyPair keys, String kid, JWTClaimsSet claims) {
    return sign(
        keys,
        new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID(kid),
        claims);
  }

  /** The compact JWT of these claims under this header, signed with the private key. */
  public static String sign(KeyPair keys, JWSHeader.Builder header, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(header.build(), claims);
      jwt.sign(new RSASSASigner(keys.getPrivate()));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Base64url without padding, as JWT segments are encoded. */
  public static String base64url(String text) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }
}
