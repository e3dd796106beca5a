-- kpm schema V6: the last plugin import's status, fleet-wide (issue 17, docs/api.md §8.19). Never
-- edit once applied. Expand-only: a new table; a kpm of V5 keeps its status in memory as before.

-- eKuiper's GET /data/import/status answers the last import's per-item errors. Behind one load
-- balancer the import (or data/init.json at a node's start) and the status read may reach different
-- nodes: the newest status any node recorded is kept here, one row.
CREATE TABLE data_import_status (
    id          SMALLINT PRIMARY KEY CHECK (id = 1),
    status      TEXT NOT NULL,
    node_id     VARCHAR(128) NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
