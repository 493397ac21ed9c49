/**
 * Schema migrations for PostgreSQL, applied in order at start under an advisory lock (so
 * instances starting together do not race), one transaction each, recorded in
 * efa_schema_version. Never edit a released migration: add a new one. Times are timestamptz;
 * booleans are boolean. The shape follows the SQLite adapter's as of its migration 7; the second
 * migration matches SQLite's migration 9 (retention).
 */
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE submissions (
    id               TEXT PRIMARY KEY,
    token_hash       TEXT NOT NULL,
    form_id          TEXT NOT NULL,
    form_version     TEXT NOT NULL,
    tenant_id        TEXT NOT NULL,
    authority_id     TEXT NOT NULL,
    region_ars       TEXT NOT NULL,
    language         TEXT NOT NULL,
    data_json        TEXT NOT NULL,
    payload_xml      TEXT NOT NULL,
    parameters_json  TEXT,
    is_test          BOOLEAN NOT NULL DEFAULT false,
    status           TEXT NOT NULL CHECK (status IN ('accepted', 'delivered')),
    acknowledged_at  TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL
  );

  CREATE TABLE submission_events (
    submission_id  TEXT NOT NULL REFERENCES submissions(id),
    seq            INTEGER NOT NULL,
    type           TEXT NOT NULL,
    at             TIMESTAMPTZ NOT NULL,
    detail         TEXT,
    PRIMARY KEY (submission_id, seq)
  );

  CREATE TABLE delivery_jobs (
    id               TEXT PRIMARY KEY,
    submission_id    TEXT NOT NULL REFERENCES submissions(id),
    authority_id     TEXT NOT NULL,
    channel          TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL UNIQUE,
    content_type     TEXT NOT NULL,
    body             TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'delivered', 'failed', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    lease_owner      TEXT,
    lease_until      TIMESTAMPTZ,
    last_error       TEXT,
    delivered_at     TIMESTAMPTZ,
    fetched_at       TIMESTAMPTZ,
    give_up_from     TIMESTAMPTZ,
    is_test          BOOLEAN NOT NULL DEFAULT false,
    created_at       TIMESTAMPTZ NOT NULL
  );
  CREATE INDEX delivery_jobs_submission ON delivery_jobs (submission_id);
  CREATE INDEX delivery_jobs_inbox ON delivery_jobs (authority_id, channel);
  -- Claims and the metrics' aggregate read only jobs that are not delivered: they drain, delivered ones pile up.
  CREATE INDEX delivery_jobs_open ON delivery_jobs (state, channel, next_attempt_at, lease_until) WHERE state <> 'delivered';
  CREATE INDEX delivery_jobs_last_delivered ON delivery_jobs (authority_id, channel, is_test, delivered_at)
    WHERE state = 'delivered' AND channel <> 'email-citizen';
  -- Metrics scrapes must not grow with the history: DeliveryQueue.stats groups only the jobs that
  -- are not delivered (delivery_jobs_open) and sums the delivered ones from delivery_job_counts,
  -- kept exact by the trigger below for every insert, state change or delete of a job, whichever
  -- statement made it. Many workers deliver at once: each change adds +1 or -1 to one of 16 slots
  -- of its channel, chosen at random, and the trigger is deferred to the commit, so a counter row
  -- is locked only for the commit itself and never while the transaction still waits for others.
  CREATE TABLE delivery_job_counts (
    channel    TEXT NOT NULL,
    slot       SMALLINT NOT NULL CHECK (slot BETWEEN 0 AND 15),
    delivered  BIGINT NOT NULL,
    PRIMARY KEY (channel, slot)
  );
  CREATE FUNCTION delivery_job_counts_track() RETURNS trigger LANGUAGE plpgsql
    SET search_path FROM CURRENT AS $$
  BEGIN
    IF TG_OP <> 'INSERT' THEN
      IF OLD.state = 'delivered' THEN
        INSERT INTO delivery_job_counts (channel, slot, delivered) VALUES (OLD.channel, floor(random() * 16), -1)
          ON CONFLICT (channel, slot) DO UPDATE SET delivered = delivery_job_counts.delivered - 1;
      END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
      IF NEW.state = 'delivered' THEN
        INSERT INTO delivery_job_counts (channel, slot, delivered) VALUES (NEW.channel, floor(random() * 16), 1)
          ON CONFLICT (channel, slot) DO UPDATE SET delivered = delivery_job_counts.delivered + 1;
      END IF;
    END IF;
    RETURN NULL;
  END $$;
  CREATE CONSTRAINT TRIGGER delivery_job_counts_insert AFTER INSERT ON delivery_jobs
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.state = 'delivered')
    EXECUTE FUNCTION delivery_job_counts_track();
  CREATE CONSTRAINT TRIGGER delivery_job_counts_update AFTER UPDATE OF state, channel ON delivery_jobs
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.state = 'delivered' OR NEW.state = 'delivered')
    EXECUTE FUNCTION delivery_job_counts_track();
  CREATE CONSTRAINT TRIGGER delivery_job_counts_delete AFTER DELETE ON delivery_jobs
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.state = 'delivered')
    EXECUTE FUNCTION delivery_job_counts_track();

  CREATE TABLE drafts (
    key                TEXT PRIMARY KEY,
    form_id            TEXT NOT NULL,
    form_version       TEXT NOT NULL,
    data_json          TEXT NOT NULL,
    csrf_token         TEXT NOT NULL,
    resume_token_hash  TEXT UNIQUE,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    expires_at         TIMESTAMPTZ NOT NULL
  );
  CREATE INDEX drafts_expiry ON drafts (expires_at);

  CREATE TABLE write_probe (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at  TIMESTAMPTZ NOT NULL
  );

  CREATE TABLE operator_audit (
    seq        BIGSERIAL PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    actor      TEXT NOT NULL,
    tenant_id  TEXT,
    action     TEXT NOT NULL,
    target     TEXT,
    outcome    TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
    detail     TEXT
  );
  CREATE INDEX operator_audit_tenant ON operator_audit (tenant_id, seq);

  CREATE TABLE operator_sessions (
    key          TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL,
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
  );
  CREATE INDEX operator_sessions_expiry ON operator_sessions (expires_at);

  CREATE TABLE test_links (
    token_hash    TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    authority_id  TEXT NOT NULL,
    form_id       TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
  );

  CREATE TABLE configuration_generation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    generation  INTEGER NOT NULL CHECK (generation >= 1),
    at          TIMESTAMPTZ NOT NULL
  );
  `,
  `
  -- Issue 13 point 5, retention (as SQLite's migration 9): when a submission's personal data was
  -- deleted, on the submission and on each of its jobs (a purged job is never sent or retried
  -- again); the partial index holds only submissions not purged yet, oldest first.
  ALTER TABLE submissions ADD COLUMN purged_at TIMESTAMPTZ;
  ALTER TABLE delivery_jobs ADD COLUMN purged_at TIMESTAMPTZ;
  CREATE INDEX submissions_unpurged ON submissions (created_at, id) WHERE purged_at IS NULL;
  `,
  `
  -- Issue 14 point 4 (as SQLite's migration 10): each submission's PDF receipt, rendered once and
  -- kept, so every channel serves the same bytes; the retention purge deletes the row.
  CREATE TABLE receipts (
    submission_id  TEXT PRIMARY KEY REFERENCES submissions (id),
    pdf            BYTEA NOT NULL,
    sha256         TEXT NOT NULL CHECK (length(sha256) = 64),
    created_at     TIMESTAMPTZ NOT NULL
  );
  `,
  `
  -- Issue 15 (as SQLite's migration 12): the metadata of uploaded files. A page upload belongs to
  -- its draft (draft_key), an API upload to nobody until a submission takes it; submission_id is
  -- set once, in the submission's own transaction, with the position in the answers and, for an
  -- authority with a key, the sealed copy (a JWE).
  CREATE TABLE attachments (
    id              TEXT PRIMARY KEY,
    form_id         TEXT NOT NULL,
    field_pointer   TEXT NOT NULL,
    draft_key       TEXT,
    file_name       TEXT NOT NULL,
    media_type      TEXT NOT NULL,
    size            BIGINT NOT NULL CHECK (size > 0),
    sha512          TEXT NOT NULL CHECK (length(sha512) = 128),
    scanned         BOOLEAN NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    submission_id   TEXT REFERENCES submissions (id),
    position        INTEGER,
    sealed_file_id  TEXT,
    sealed_size     BIGINT,
    sealed_kid      TEXT
  );
  CREATE INDEX attachments_draft ON attachments (draft_key, created_at) WHERE submission_id IS NULL;
  CREATE INDEX attachments_submission ON attachments (submission_id, position) WHERE submission_id IS NOT NULL;
  CREATE INDEX attachments_unused ON attachments (created_at) WHERE submission_id IS NULL;
  -- Their bytes (and the sealed copies'), in chunks (pg-attachment-files.ts), so neither a write nor a read
  -- holds a whole file; a file counts once its row in attachment_files exists (written last).
  CREATE TABLE attachment_chunks (
    file_id  TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    data     BYTEA NOT NULL,
    PRIMARY KEY (file_id, seq)
  );
  CREATE TABLE attachment_files (
    file_id     TEXT PRIMARY KEY,
    size        BIGINT NOT NULL,
    chunks      INTEGER NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
  );
  `,
  `
  -- The clean-up asks which stored files a row names (attachment-ports.ts namedFiles); chunks
  -- of a write a crash cut off (no attachment_files row) are known by their age.
  CREATE INDEX attachments_sealed ON attachments (sealed_file_id) WHERE sealed_file_id IS NOT NULL;
  ALTER TABLE attachment_chunks ADD COLUMN written_at TIMESTAMPTZ NOT NULL DEFAULT now();
  CREATE INDEX attachment_chunks_written ON attachment_chunks (written_at);
  `,
  `
  -- An authority's e-mail past EMAIL_ATTACHMENT_MAX_BYTES goes without the files, which then wait
  -- in the inbox (held_at); retention keeps the submission until each held file was fetched.
  ALTER TABLE attachments ADD COLUMN held_at TIMESTAMPTZ;
  ALTER TABLE attachments ADD COLUMN fetched_at TIMESTAMPTZ;
  CREATE INDEX attachments_held ON attachments (submission_id) WHERE held_at IS NOT NULL AND fetched_at IS NULL;
  `,
];
