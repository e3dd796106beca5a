package dev.kpm.api;

import dev.kpm.api.dto.FleetWaitAnswer;
import dev.kpm.audit.Act;
import dev.kpm.fleet.FleetNode;
import dev.kpm.fleet.FleetNodes;
import dev.kpm.fleet.PluginOnNode;
import dev.kpm.plugin.PluginException;
import dev.kpm.plugin.PluginType;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * kpm's {@code ?wait=all&timeout=…} on plugin creates, updates and deletes (docs/api.md §8.20):
 * once the change succeeded on this node — its plugin lock released, its transaction committed —
 * the request polls the database until every live node settled on it, bounded by the timeout, and
 * answers with the usual status and each live node's state. The one place that waits, for the
 * native and the portable resources alike.
 */
final class FleetWaits {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  static final Duration MAX_TIMEOUT = Duration.ofSeconds(600);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Pattern SECONDS = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9})?");

  private FleetWaits() {}

  /**
   * What the query asks for, checked before anything else happens.
   *
   * @param timeout null: no waiting
   */
  record Wait(Duration timeout) {
    static final Wait NONE = new Wait(null);

    boolean requested() {
      return timeout != null;
    }

    /**
     * {@code change}'s answer as is without waiting, or (when it succeeded) its text in a JSON
     * answer with the same status once every live node settled or the timeout ran out.
     *
     * @param name the plugin's name, asked once the change is done (a create learns it from the
     *     body: {@link Act#pluginName})
     * @param removal a delete: settled is removed, or never held
     */
    Response after(
        FleetNodes fleet,
        PluginType type,
        Supplier<String> name,
        boolean removal,
        Supplier<Response> change) {
      Response done = change.get();
      if (!requested() || done.getStatus() >= 300) {
        return done;
      }
      return waited(fleet, type, name.get(), removal, done);
    }

    private Response waited(
        FleetNodes fleet, PluginType type, String name, boolean removal, Response done) {
      long deadline = System.nanoTime() + timeout.toNanos();
      List<PluginOnNode> live = live(fleet, type, name);
      boolean complete = settled(live, removal);
      while (!complete && System.nanoTime() - deadline < 0) {
        long left = deadline - System.nanoTime();
        try {
          Thread.sleep(Math.max(1, Math.min(POLL.toMillis(), left / 1_000_000)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        live = live(fleet, type, name);
        complete = settled(live, removal);
      }
      List<FleetWaitAnswer.Node> nodes =
          live.stream()
              .map(
                  n ->
                      !settled(n, removal)
                          ? new FleetWaitAnswer.Node(n.node(), "pending", null)
                          : new FleetWaitAnswer.Node(
                              n.node(), n.state() == null ? "removed" : n.state(), n.error()))
              .toList();
      return Response.status(done.getStatus())
          .entity(new FleetWaitAnswer(String.valueOf(done.getEntity()), complete, nodes))
          .type(MediaType.APPLICATION_JSON_TYPE)
          .build();
    }
  }

  /**
   * The wait the query asks for, or {@link Wait#NONE}.
   *
   * @throws PluginException 400 for a {@code wait} other than {@code all}, a timeout that is not
   *     seconds or an ISO-8601 duration of at most 600 s, a timeout without {@code wait}, or {@code
   *     wait} with a dry run or {@code Prefer: respond-async}
   */
  static Wait of(String wait, String timeout, String dryRun, String prefer) {
    if (wait == null) {
      if (timeout != null) {
        throw PluginException.invalid("timeout " + shown(timeout) + " needs wait=all");
      }
      return Wait.NONE;
    }
    if (!wait.equals("all")) {
      throw PluginException.invalid("invalid wait " + shown(wait) + ": expected all");
    }
    Duration d = timeout == null ? DEFAULT_TIMEOUT : timeout(timeout);
    if (DryRuns.requested(dryRun)) {
      throw PluginException.invalid(
          "wait=all cannot be combined with dryRun=true: a dry run changes nothing to wait for");
    }
    if (AsyncJobs.requested(prefer)) {
      throw PluginException.invalid(
          "wait=all cannot be combined with Prefer: respond-async: follow the job, then"
              + " GET /plugins/{type}/{name}/nodes");
    }
    return new Wait(d);
  }

  private static Duration timeout(String text) {
    Duration d;
    try {
      d =
          SECONDS.matcher(text).matches()
              ? Duration.ofNanos(new BigDecimal(text).movePointRight(9).longValueExact())
              : Duration.parse(text);
    } catch (DateTimeParseException | ArithmeticException e) {
      d = null;
    }
    if (d == null || d.isNegative() || d.compareTo(MAX_TIMEOUT) > 0) {
      throw PluginException.invalid(
          "invalid timeout "
              + shown(text)
              + ": expected seconds (e.g. 90) or an ISO-8601 duration (e.g. PT90S), at most "
              + MAX_TIMEOUT.toSeconds()
              + " seconds");
    }
    return d;
  }

  /** Every live node's state of the plugin; a plugin nobody holds nor wants: none held. */
  private static List<PluginOnNode> live(FleetNodes fleet, PluginType type, String name) {
    return fleet
        .ofPlugin(type, name)
        .orElseGet(() -> fleet.nodes().stream().map(FleetWaits::holdingNothing).toList())
        .stream()
        .filter(PluginOnNode::live)
        .toList();
  }

  private static PluginOnNode holdingNothing(FleetNode n) {
    return new PluginOnNode(
        n.id(), n.address(), n.live(), n.self(), null, null, null, false, null, null, null, null);
  }

  private static boolean settled(List<PluginOnNode> nodes, boolean removal) {
    return nodes.stream().allMatch(n -> settled(n, removal));
  }

  private static boolean settled(PluginOnNode n, boolean removal) {
    return removal ? n.settledRemoved() : n.settledAtDesired();
  }

  private static String shown(String value) {
    return value.length() > 40 ? value.substring(0, 40) + "…" : value;
  }
}
