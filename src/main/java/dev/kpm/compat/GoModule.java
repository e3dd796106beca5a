package dev.kpm.compat;

import java.util.Optional;

/**
 * One module line of Go build info ({@code mod} or {@code dep}), with the {@code =>} replacement
 * that followed it, if any. {@code sum} and a replacement's version may be empty.
 */
public record GoModule(String path, String version, String sum, Optional<GoModule> replacedBy) {

  /** True when {@code pkg} is this module's path or lies below it. */
  public boolean contains(String pkg) {
    return pkg.equals(path) || pkg.startsWith(path + "/");
  }

  /** {@code path version}, plus {@code => path version} when replaced. */
  public String describe() {
    String self = version.isEmpty() ? path : path + " " + version;
    return replacedBy.map(r -> self + " => " + r.describe()).orElse(self);
  }
}
