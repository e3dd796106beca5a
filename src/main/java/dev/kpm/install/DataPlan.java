package dev.kpm.install;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What {@code POST /data/import?dryRun=true} answers (docs/api.md §8.19): per plugin of the file
 * and per installed plugin the import would touch, what it would do; nothing was changed.
 *
 * @param items in the order the real import applies them: deletes, updates, creates, then the
 *     plugins left as they are
 * @param notImported the ruleset's sections that are not kpm's, with their keys
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DataPlan(
    boolean dryRun,
    boolean partial,
    List<Item> items,
    Map<String, List<String>> notImported,
    String note) {

  /**
   * One plugin.
   *
   * @param key the ruleset key: {@code <type>_<name>} (native) or the name (portable)
   * @param action {@code create}, {@code update}, {@code delete}, {@code unchanged} or {@code keep}
   * @param reason why a plugin is kept or left unchanged
   * @param error the error the real import would record for it
   * @param plan the plugin's own dry run (§8.9), for a create, update or delete that would succeed
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Item(
      String section,
      String key,
      String type,
      String name,
      String action,
      String reason,
      String error,
      DryRun plan) {}
}
