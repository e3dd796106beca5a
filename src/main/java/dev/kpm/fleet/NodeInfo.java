package dev.kpm.fleet;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a node says of itself when it registers.
 *
 * @param id {@code kpm.node.id}, or the id derived from the host name and the home folder
 * @param address how operators and other nodes reach it ({@code kpm.node.address})
 * @param kpmVersion the kpm build it runs
 * @param os {@code os.name}
 * @param arch {@code os.arch}
 * @param engine the eKuiper binary it checks native plugins against (path, Go version,
 *     architecture, C library, fingerprint summary), or null without {@code kpm.engine.binary}
 * @param home its home folder
 */
public record NodeInfo(
    String id,
    String address,
    String kpmVersion,
    String os,
    String arch,
    Map<String, Object> engine,
    String home) {

  /** A node id: {@code kpm.node.id}'s rule, and the {@code fleet_node.node_id} column's. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  public NodeInfo {
    if (!validId(id)) {
      throw new IllegalArgumentException("invalid node id '" + id + "'");
    }
    engine = engine == null ? null : Map.copyOf(engine);
  }

  /** Whether {@code id} can name a node. */
  public static boolean validId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** This JVM's operating system and architecture, with the given id, address, engine and home. */
  public static NodeInfo ofThisJvm(
      String id, String address, String kpmVersion, Map<String, Object> engine, String home) {
    return ofThisJvm(id, address, kpmVersion, engine, home, "");
  }

  /**
   * As {@link #ofThisJvm(String, String, String, Map, String)}, with the architecture native
   * plugins must be built for ({@code kpm.node.arch}); empty: this JVM's, as Go names it.
   */
  public static NodeInfo ofThisJvm(
      String id,
      String address,
      String kpmVersion,
      Map<String, Object> engine,
      String home,
      String arch) {
    return new NodeInfo(
        id,
        address,
        kpmVersion,
        System.getProperty("os.name", "unknown"),
        arch.isEmpty() ? goArch(System.getProperty("os.arch", "unknown")) : arch,
        engine,
        home);
  }

  /** A JVM's {@code os.arch} as Go names the architecture (the name ELF files are checked by). */
  public static String goArch(String osArch) {
    return switch (osArch) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "x86", "i386", "i486", "i586", "i686" -> "386";
      case "arm" -> "arm";
      case "ppc64le" -> "ppc64le";
      case "s390x" -> "s390x";
      case "riscv64" -> "riscv64";
      default -> osArch;
    };
  }
}
