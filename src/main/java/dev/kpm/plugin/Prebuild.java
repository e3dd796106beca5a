package dev.kpm.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * eKuiper's prebuild listing (docs/api.md §7): download URLs of the official plugin builds for this
 * machine, from static name lists; nothing is fetched. With several hosts the first wins
 * (docs/api.md §9.14).
 */
public final class Prebuild {
  private static final Map<PluginType, List<String>> NAMES =
      Map.of(
          PluginType.SOURCES, List.of("random", "zmq", "sql", "video", "kafka"),
          PluginType.SINKS, List.of("image", "influx", "influx2", "zmq", "kafka", "sql"),
          PluginType.FUNCTIONS,
              List.of(
                  "accumulateWordCount",
                  "countPlusOne",
                  "echo",
                  "geohash",
                  "image",
                  "labelImage",
                  "tfLite"));

  private final List<String> hosts;
  private final String version;
  private final List<Path> osRelease;

  public Prebuild(List<String> hosts, String version, List<Path> osRelease) {
    this.hosts = hosts;
    this.version = version;
    this.osRelease = osRelease;
  }

  /** The listing for this machine: {@code /etc/os-release}, then {@code /usr/lib/os-release}. */
  public static Prebuild of(List<String> hosts, String version) {
    return new Prebuild(
        hosts, version, List.of(Path.of("/etc/os-release"), Path.of("/usr/lib/os-release")));
  }

  public Map<String, String> list(PluginType type, String osName, String arch) {
    if (!osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
      throw PluginException.invalid(
          "It's strongly recommended to install plugins at linux. If you choose to proceed to"
              + " install plugin, please make sure the plugin is already validated in your own"
              + " build.");
    }
    if (hosts.isEmpty()) {
      throw PluginException.invalid("invalid configuration for plugin host in kuiper.yaml");
    }
    String prefix =
        hosts.get(0) + "/kuiper-plugins/" + version + "/" + os() + "/" + type.word() + "/";
    Map<String, String> urls = new TreeMap<>();
    NAMES.get(type).forEach(n -> urls.put(n, prefix + n + "_" + goArch(arch) + ".zip"));
    return urls;
  }

  private String os() {
    IOException last = null;
    for (Path file : osRelease) {
      try {
        String text = Files.readString(file);
        return text.lines()
                .filter(l -> l.startsWith("PRETTY_NAME="))
                .anyMatch(l -> l.toUpperCase(Locale.ROOT).contains("ALPINE"))
            ? "alpine"
            : "debian";
      } catch (IOException e) {
        last = e;
      }
    }
    throw PluginException.invalid("open " + osRelease.get(osRelease.size() - 1) + ": " + last);
  }

  /** Java's {@code os.arch} in Go's GOARCH words. */
  static String goArch(String javaArch) {
    return switch (javaArch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "x86", "i386", "i486", "i586", "i686" -> "386";
      case "arm" -> "arm";
      case "ppc64le" -> "ppc64le";
      case "s390x" -> "s390x";
      case "riscv64" -> "riscv64";
      default -> javaArch;
    };
  }
}
