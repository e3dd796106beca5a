package dev.kpm.install;

import dev.kpm.audit.Act;
import dev.kpm.fleet.NodeStates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.logging.Logger;

/**
 * eKuiper imports {@code data/init.json} when it starts; a fleet imports it once: the first node
 * that starts with a file of this content claims its SHA-256 in the database and imports it — as a
 * partial import, adding the plugins that are missing and removing none — and the change reaches
 * every node as any other does. Every other node, and every later start, finds the claim and leaves
 * the file alone (README "Fleet").
 */
public final class InitRuleset {
  private static final Logger LOG = Logger.getLogger(InitRuleset.class.getName());

  private InitRuleset() {}

  /** Imports {@code file} unless it is absent or its content was claimed by the fleet already. */
  public static void importOnce(Path file, NodeStates states, DataTransfer data) {
    if (!Files.isRegularFile(file)) {
      return;
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      LOG.warning(() -> "data/init.json cannot be read, so it is not imported: " + e);
      return;
    }
    String sha = sha256(bytes);
    if (!states.claimInit(sha)) {
      LOG.info(() -> "data/init.json (" + sha + ") was imported by the fleet already");
      return;
    }
    try {
      DataTransfer.Result r =
          data.importRuleset(
              new String(bytes, StandardCharsets.UTF_8),
              true,
              action -> Act.system(action).detail("imported from data/init.json at start-up"));
      states.initImported(sha, r.ok(), r.summary());
      LOG.info(() -> "data/init.json (" + sha + ") imported: " + r.summary());
    } catch (RuntimeException e) {
      states.initImported(sha, false, String.valueOf(e.getMessage()));
      LOG.warning(() -> "data/init.json (" + sha + ") was not imported: " + e.getMessage());
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
