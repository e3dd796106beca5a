package dev.kpm.api;

import dev.kpm.audit.Act;
import dev.kpm.install.DryRun;
import dev.kpm.plugin.PluginException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.function.Supplier;

/** kpm's {@code ?dryRun=true} on creates, updates and deletes (docs/api.md §8.9). */
final class DryRuns {
  private DryRuns() {}

  /**
   * Whether the query asks for a dry run: {@code true}; {@code false} or none is the real call.
   *
   * @throws PluginException 400 for any other value
   */
  static boolean requested(String value) {
    if (value == null || value.equals("false")) {
      return false;
    }
    if (value.equals("true")) {
      return true;
    }
    throw PluginException.invalid("invalid dryRun " + value + ": expected true or false");
  }

  /**
   * The plan as a 200 JSON answer, audited as {@code plugin.dry-run}, or {@code real}'s answer. The
   * query is checked before anything else happens.
   */
  static Response answer(String dryRun, Act act, Supplier<DryRun> plan, Supplier<Response> real) {
    if (!requested(dryRun)) {
      return real.get();
    }
    act.dryRun(DryRun.NOTE);
    return Response.ok(plan.get(), MediaType.APPLICATION_JSON_TYPE).build();
  }
}
