package dev.kpm.plugin;

import jakarta.persistence.EntityManager;
import java.util.List;

/**
 * The fleet's part of every committed change of the desired plugin state, written in the change's
 * own transaction (docs/architecture.md "Fleet"): the change is serialised fleet-wide, this node's
 * applied state is recorded with it, and the other nodes are told. {@link #SINGLE} writes nothing:
 * for a store without a fleet (unit tests).
 */
public interface FleetCommit {
  /** The node whose changes these are. */
  String nodeId();

  /** First in the transaction of a change of plugin {@code name} of {@code type}. */
  void lock(EntityManager em, PluginType type, String name);

  /** The change committed with the plugin applied to this node's home: these files, this digest. */
  void applied(
      EntityManager em,
      PluginType type,
      String name,
      String version,
      String sha256,
      List<String> files);

  /** The plugin left the desired state, and this node's home. */
  void removed(EntityManager em, PluginType type, String name);

  /** Something else of the desired state changed (say, a function list): other nodes reload. */
  void changed(EntityManager em);

  /** No fleet: nothing is written. */
  FleetCommit SINGLE =
      new FleetCommit() {
        @Override
        public String nodeId() {
          return null;
        }

        @Override
        public void lock(EntityManager em, PluginType type, String name) {}

        @Override
        public void applied(
            EntityManager em,
            PluginType type,
            String name,
            String version,
            String sha256,
            List<String> files) {}

        @Override
        public void removed(EntityManager em, PluginType type, String name) {}

        @Override
        public void changed(EntityManager em) {}
      };
}
