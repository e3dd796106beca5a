package dev.kpm.install;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kpm.install.download.Download;
import dev.kpm.install.staging.Staging;
import dev.kpm.plugin.HomeLayout;
import dev.kpm.plugin.PluginType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When a staging folder filled ahead of a commit may be used by the apply ({@link
 * NativeInstaller.Prestaged#fits}): only while this node holds the same files of the plugin and a
 * source's yaml config already in the home is decided the same way, the two things extraction read
 * of the home.
 */
class PrestagedFitTest {
  @TempDir Path base;

  private NativeInstaller.Prestaged staged(Set<String> replaceable, boolean keptYaml) {
    Staging staging = new Staging(base.resolve(".kpm/staging/x"), base);
    return new NativeInstaller.Prestaged(
        PluginType.SOURCES,
        "big",
        "ab".repeat(32),
        staging,
        new Download(staging.download(), "ab".repeat(32), 1),
        new NativeInstaller.Staged("Big.so", false),
        replaceable,
        keptYaml);
  }

  @Test
  void aStagingFitsWhileTheHeldFilesAndTheYamlDecisionAreTheSame() {
    HomeLayout home = HomeLayout.create(base);
    assertTrue(staged(Set.of(), false).fits(home, List.of()));
    assertTrue(
        staged(Set.of("plugins/sources/Big@v1.so"), false)
            .fits(home, List.of("plugins/sources/Big@v1.so")));
  }

  @Test
  void aStagingDoesNotFitOnceThisNodeHoldsOtherFilesOfThePlugin() {
    HomeLayout home = HomeLayout.create(base);
    assertFalse(staged(Set.of(), false).fits(home, List.of("plugins/sources/Big@v1.so")));
    assertFalse(staged(Set.of("plugins/sources/Big@v1.so"), false).fits(home, List.of()));
  }

  @Test
  void aStagingDoesNotFitOnceAYamlConfigOfTheSourceAppearedInTheHome() throws IOException {
    HomeLayout home = HomeLayout.create(base);
    NativeInstaller.Prestaged before = staged(Set.of(), false);
    Files.createDirectories(base.resolve("etc/sources"));
    Files.writeString(base.resolve("etc/sources/big.yaml"), "mine: 1\n");
    assertFalse(before.fits(home, List.of()), "the archive's yaml would now not be installed");
    assertTrue(staged(Set.of(), true).fits(home, List.of()));
  }
}
