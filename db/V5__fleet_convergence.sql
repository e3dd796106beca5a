-- kpm schema V5: convergence of the fleet's nodes (issue 17, docs/architecture.md "Fleet"). Never
-- edit once applied. Expand-only: columns with defaults and indexes; a kpm of V4 keeps working on a
-- database migrated by this one (it writes the defaults), so nodes can be upgraded one at a time.

-- Which node ran an install attempt: crash recovery at start settles only its own node's attempts
-- (NULL: written before V5, by the one node there was).
ALTER TABLE install_record ADD COLUMN node_id VARCHAR(128);
-- TRUE for a node applying the fleet's desired state to its own home (convergence); FALSE for a
-- change of the desired state itself (a create or update through the API, an auto-load).
ALTER TABLE install_record ADD COLUMN fleet_apply BOOLEAN NOT NULL DEFAULT FALSE;

-- One change of a plugin's desired state at a time, fleet-wide, as before; but every node may apply
-- it to its own home at once, one attempt per node and plugin.
DROP INDEX install_record_running_uq;
CREATE UNIQUE INDEX install_record_running_uq ON install_record (plugin_type, plugin_name)
    WHERE state = 'RUNNING' AND NOT fleet_apply;
CREATE UNIQUE INDEX install_record_applying_uq ON install_record (node_id, plugin_type, plugin_name)
    WHERE state = 'RUNNING' AND fleet_apply;
CREATE INDEX install_record_node_running_idx ON install_record (node_id) WHERE state = 'RUNNING';

-- The node that marked a plugin DELETING and finishes its drop (NULL before V5): another node's
-- start must not finish a drop in flight elsewhere.
ALTER TABLE plugin ADD COLUMN worker_node VARCHAR(128);

-- Every file the plugin put into THIS node's home, relative to it: what removing it there deletes,
-- once the shared plugin row (and its files column) is gone.
ALTER TABLE node_plugin ADD COLUMN files TEXT[] NOT NULL DEFAULT '{}';

-- The node's portable process of the plugin as that node last saw it: {"status","pid","restarts",
-- "startedAt","lastExit"}; NULL for a native plugin or without a process. Written by the node on
-- every process event, read by any node (GET /plugins/portables/{name}/nodes).
ALTER TABLE node_plugin ADD COLUMN process JSONB;

-- data/init.json is imported once per fleet: the first node that starts with a file of this content
-- claims its SHA-256 and imports it (partial: what is missing is added, nothing is removed); every
-- other node, and every later start, finds the claim and leaves it.
CREATE TABLE fleet_init (
    sha256      VARCHAR(64)  PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    node_id     VARCHAR(128) NOT NULL,
    claimed_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ,
    ok          BOOLEAN,
    summary     TEXT
);
