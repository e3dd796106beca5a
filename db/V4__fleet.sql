-- kpm schema V4: the fleet's foundation (issue 17, docs/architecture.md "Fleet"). Never edit once
-- applied. Expand-only: new tables and one new index, nothing of V1–V3 changed or dropped, so a kpm
-- of the previous version keeps working on a database migrated by this one (rolling upgrade).
-- SHA-256 digests are VARCHAR(64) of lower-case hex, as plugin.sha256 and install_record.sha256.

-- One row per kpm node sharing this database: upserted at start, heartbeat written every
-- kpm.fleet.heartbeat. Every time is the DATABASE's clock (now(), clock_timestamp()), never a
-- node's, so liveness (heartbeat_at > now() - kpm.fleet.downAfter) needs no synchronised clocks.
CREATE TABLE fleet_node (
    node_id            VARCHAR(128) PRIMARY KEY CHECK (node_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'),
    -- how other nodes and operators reach it: kpm.node.address, default the host name
    address            VARCHAR(255) NOT NULL,
    kpm_version        VARCHAR(64)  NOT NULL,
    -- os.name and os.arch of its JVM; a native plugin is compatible per node (convergence)
    os                 VARCHAR(64)  NOT NULL,
    arch               VARCHAR(64)  NOT NULL,
    -- with kpm.engine.binary: {"path","goVersion","arch","libc","packages","fingerprints"}; else NULL
    engine             JSONB,
    home               TEXT         NOT NULL,
    started_at         TIMESTAMPTZ  NOT NULL,
    heartbeat_at       TIMESTAMPTZ  NOT NULL,
    -- the fleet_state.generation this node has converged to (written by convergence, later)
    applied_generation BIGINT       NOT NULL DEFAULT 0 CHECK (applied_generation >= 0)
);

-- The fleet's desired-state counter, one row: every committed change of the shared plugin set
-- increments it; a node whose applied_generation is behind reconciles (the backstop for a missed
-- NOTIFY).
CREATE TABLE fleet_state (
    id         SMALLINT PRIMARY KEY CHECK (id = 1),
    generation BIGINT   NOT NULL DEFAULT 0 CHECK (generation >= 0)
);
INSERT INTO fleet_state (id, generation) VALUES (1, 0);

-- Plugin archives, content-addressed by their SHA-256, stored in chunks of chunk_size bytes (the
-- last one shorter): every chunk is written and read by its own short statement. A row is
-- complete once every chunk is written and the digest of all of them matched; until then it
-- belongs to the one put that claimed it (writer), whose claim lapses when it stops writing.
CREATE TABLE artifact (
    sha256     VARCHAR(64) PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    -- bytes of the whole artifact; NULL until complete
    size       BIGINT      CHECK (size >= 0),
    chunk_size INT         NOT NULL CHECK (chunk_size > 0),
    complete   BOOLEAN     NOT NULL DEFAULT FALSE,
    -- the put storing it while incomplete; NULL once complete
    writer     UUID,
    -- when it was last stored: completed, or found complete by a put (the garbage collection's
    -- grace counts from here); while incomplete, when its writer last wrote a chunk (the lease)
    stored_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (complete = (size IS NOT NULL)),
    CHECK (complete = (writer IS NULL))
);

CREATE TABLE artifact_chunk (
    sha256 VARCHAR(64) NOT NULL REFERENCES artifact (sha256) ON DELETE CASCADE,
    seq    INT         NOT NULL CHECK (seq >= 0),
    data   BYTEA       NOT NULL,
    PRIMARY KEY (sha256, seq)
);
-- Plugin zips are compressed already: store chunks out of line without trying pglz on them.
ALTER TABLE artifact_chunk ALTER COLUMN data SET STORAGE EXTERNAL;

-- Per node and plugin, what that node has applied of the desired state (written by convergence).
CREATE TABLE node_plugin (
    node_id     VARCHAR(128) NOT NULL REFERENCES fleet_node (node_id) ON DELETE CASCADE,
    plugin_type VARCHAR(16)  NOT NULL CHECK (plugin_type IN ('sources', 'sinks', 'functions', 'portables')),
    name        VARCHAR(255) NOT NULL CHECK (name <> ''),
    state       VARCHAR(16)  NOT NULL
        CHECK (state IN ('pending', 'applied', 'failed', 'removed', 'incompatible')),
    version     VARCHAR(255),
    sha256      VARCHAR(64)  CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    -- failed: the error and the install.sh output tail; incompatible: why
    error       TEXT,
    output      TEXT,
    at          TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (node_id, plugin_type, name)
);
CREATE INDEX node_plugin_sha256_idx ON node_plugin (sha256);

-- The artifact garbage collection asks, per artifact, whether any plugin still refers to it.
CREATE INDEX plugin_sha256_idx ON plugin (sha256);
