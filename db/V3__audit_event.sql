-- kpm schema V3: the audit trail (docs/api.md §12). Never edit once applied.
-- One row per audited event, append-only, each row carrying the hash of the one before it: a chain
-- in the order of seq that GET /audit/verify walks. kpm computes the hashes (dev.kpm.audit.Chain).
CREATE TABLE audit_event (
    -- gapless: taken as the chain's head + 1 while holding the chain's advisory lock
    seq            BIGINT        PRIMARY KEY CHECK (seq > 0),
    at             TIMESTAMPTZ   NOT NULL,
    -- the kpm node that wrote it (kpm.node.id)
    node_id        VARCHAR(128)  NOT NULL,
    -- who: the caller's subject and how it was proven ("system" for kpm's own actions)
    subject        VARCHAR(300)  NOT NULL,
    auth_method    VARCHAR(16)   NOT NULL,
    client_address VARCHAR(64),
    request_id     VARCHAR(64),
    action         VARCHAR(32)   NOT NULL,
    plugin_type    VARCHAR(16),
    plugin_name    VARCHAR(255),
    -- the source URL without user name, password or query credentials
    source_url     TEXT,
    sha256         VARCHAR(64),
    version_before VARCHAR(255),
    version_after  VARCHAR(255),
    outcome        VARCHAR(8)    NOT NULL CHECK (outcome IN ('ok', 'failed', 'refused')),
    status         INT,
    error          TEXT,
    detail         TEXT,
    -- more than 1 only for aggregated refusals of unauthenticated clients (one row per client, minute)
    count          INT           NOT NULL DEFAULT 1 CHECK (count > 0),
    duration_ms    BIGINT,
    prev_hash      CHAR(64)      NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash           CHAR(64)      NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX audit_event_at_idx ON audit_event (at);
CREATE INDEX audit_event_plugin_idx ON audit_event (plugin_type, plugin_name, seq);
CREATE INDEX audit_event_subject_idx ON audit_event (subject, seq);

-- The chain's two ends, one row: the anchor (the last purged event, or the genesis) and the head.
CREATE TABLE audit_chain (
    id          SMALLINT     PRIMARY KEY CHECK (id = 1),
    anchor_seq  BIGINT       NOT NULL,
    anchor_hash CHAR(64)     NOT NULL,
    head_seq    BIGINT       NOT NULL,
    head_hash   CHAR(64)     NOT NULL,
    purged_at   TIMESTAMPTZ,
    CHECK (head_seq >= anchor_seq)
);
INSERT INTO audit_chain (id, anchor_seq, anchor_hash, head_seq, head_hash)
VALUES (1, 0, repeat('0', 64), 0, repeat('0', 64));

-- Append-only: no UPDATE, no TRUNCATE, and DELETE only inside the retention purge, which sets
-- kpm.audit_purge for its own transaction (SET LOCAL) and moves the anchor in the same one.
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('kpm.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % of audit_event refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
