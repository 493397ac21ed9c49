/**
 * Schema migrations for SQLite, applied in order inside one transaction each; PRAGMA
 * user_version records the last applied one. Never edit a released migration: add a new one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE submissions (
    id            TEXT PRIMARY KEY,
    token_hash    TEXT NOT NULL,
    form_id       TEXT NOT NULL,
    form_version  TEXT NOT NULL,
    tenant_id     TEXT NOT NULL,
    authority_id  TEXT NOT NULL,
    region_ars    TEXT NOT NULL,
    language      TEXT NOT NULL,
    data_json     TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('accepted', 'delivered')),
    created_at    INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE submission_events (
    submission_id TEXT NOT NULL REFERENCES submissions(id),
    seq           INTEGER NOT NULL,
    type          TEXT NOT NULL,
    at            INTEGER NOT NULL,
    PRIMARY KEY (submission_id, seq)
  ) STRICT;

  CREATE TABLE delivery_jobs (
    id               TEXT PRIMARY KEY,
    submission_id    TEXT NOT NULL REFERENCES submissions(id),
    authority_id     TEXT NOT NULL,
    channel          TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL UNIQUE,
    content_type     TEXT NOT NULL,
    body             TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'delivered')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    lease_owner      TEXT,
    lease_until      INTEGER,
    last_error       TEXT,
    delivered_at     INTEGER,
    created_at       INTEGER NOT NULL
  ) STRICT;

  CREATE INDEX delivery_jobs_due ON delivery_jobs (state, next_attempt_at);
  CREATE INDEX delivery_jobs_submission ON delivery_jobs (submission_id);
  `,
  `
  CREATE TABLE drafts (
    key                TEXT PRIMARY KEY,
    form_id            TEXT NOT NULL,
    form_version       TEXT NOT NULL,
    data_json          TEXT NOT NULL,
    csrf_token         TEXT NOT NULL,
    resume_token_hash  TEXT UNIQUE,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL
  ) STRICT;

  CREATE INDEX drafts_expiry ON drafts (expires_at);
  `,
  `
  -- Job states failed and dead (SQLite cannot change a CHECK constraint: rebuild the table).
  CREATE TABLE delivery_jobs_v3 (
    id               TEXT PRIMARY KEY,
    submission_id    TEXT NOT NULL REFERENCES submissions(id),
    authority_id     TEXT NOT NULL,
    channel          TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL UNIQUE,
    content_type     TEXT NOT NULL,
    body             TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'delivered', 'failed', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    lease_owner      TEXT,
    lease_until      INTEGER,
    last_error       TEXT,
    delivered_at     INTEGER,
    created_at       INTEGER NOT NULL
  ) STRICT;
  INSERT INTO delivery_jobs_v3 SELECT * FROM delivery_jobs;
  DROP TABLE delivery_jobs;
  ALTER TABLE delivery_jobs_v3 RENAME TO delivery_jobs;
  CREATE INDEX delivery_jobs_due ON delivery_jobs (state, next_attempt_at);
  CREATE INDEX delivery_jobs_submission ON delivery_jobs (submission_id);
  `,
  `
  -- Issue 5: the plain payload on the submission (jobs may hold it encrypted), acknowledgement,
  -- event details for the audit trail, inbox fetches and operators' retries.
  ALTER TABLE submissions ADD COLUMN payload_xml TEXT;
  UPDATE submissions SET payload_xml = (
    SELECT body FROM delivery_jobs j WHERE j.submission_id = submissions.id AND j.channel = 'http' ORDER BY j.created_at LIMIT 1);
  ALTER TABLE submissions ADD COLUMN acknowledged_at INTEGER;
  ALTER TABLE submission_events ADD COLUMN detail TEXT;
  ALTER TABLE delivery_jobs ADD COLUMN fetched_at INTEGER;
  ALTER TABLE delivery_jobs ADD COLUMN give_up_from INTEGER;
  CREATE INDEX delivery_jobs_inbox ON delivery_jobs (authority_id, channel);
  `,
  `
  -- Issue 9: DeliveryQueue.stats runs at every metrics scrape. Covering its one aggregate
  -- statement lets SQLite read only this index, not the table with its payloads (measured with
  -- 500,000 jobs of 2 KB: 0.1 to 0.17 s instead of 1.2 to 1.6 s).
  CREATE INDEX delivery_jobs_stats ON delivery_jobs (state, channel, next_attempt_at, lease_until);
  `,
  `
  -- Issue 9: Store.probeWritable (GET /readyz and the start-up check) rewrites this one row in a
  -- transaction of its own, to learn whether the database can be written, without touching data.
  CREATE TABLE write_probe (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at  INTEGER NOT NULL
  ) STRICT;
  `,
  `
  -- Metrics scrapes must not grow with the history: delivered jobs pile up without bound, every
  -- other state is a backlog that drains. DeliveryQueue.stats groups only the jobs that are not
  -- delivered (this partial index, which replaces the covering one over every job) and reads the
  -- delivered ones from delivery_job_counts, which these triggers keep exact in the same
  -- transaction as each insert, state change or delete of a job, whichever statement made it.
  -- A later migration that rebuilds delivery_jobs (DROP TABLE drops its triggers) must create
  -- the triggers again and recount.
  DROP INDEX delivery_jobs_stats;
  CREATE INDEX delivery_jobs_open ON delivery_jobs (state, channel, next_attempt_at, lease_until) WHERE state <> 'delivered';
  CREATE TABLE delivery_job_counts (
    channel    TEXT PRIMARY KEY,
    delivered  INTEGER NOT NULL
  ) STRICT;
  INSERT INTO delivery_job_counts (channel, delivered)
    SELECT channel, COUNT(*) FROM delivery_jobs WHERE state = 'delivered' GROUP BY channel;
  CREATE TRIGGER delivery_job_counts_insert AFTER INSERT ON delivery_jobs
    WHEN NEW.state = 'delivered'
  BEGIN
    INSERT INTO delivery_job_counts (channel, delivered) VALUES (NEW.channel, 1)
      ON CONFLICT (channel) DO UPDATE SET delivered = delivered + 1;
  END;
  CREATE TRIGGER delivery_job_counts_update AFTER UPDATE OF state, channel ON delivery_jobs
    WHEN OLD.state = 'delivered' OR NEW.state = 'delivered'
  BEGIN
    UPDATE delivery_job_counts SET delivered = delivered - 1 WHERE OLD.state = 'delivered' AND channel = OLD.channel;
    INSERT INTO delivery_job_counts (channel, delivered) SELECT NEW.channel, 1 WHERE NEW.state = 'delivered'
      ON CONFLICT (channel) DO UPDATE SET delivered = delivered + 1;
  END;
  CREATE TRIGGER delivery_job_counts_delete AFTER DELETE ON delivery_jobs
    WHEN OLD.state = 'delivered'
  BEGIN
    UPDATE delivery_job_counts SET delivered = delivered - 1 WHERE channel = OLD.channel;
  END;
  `,
  `
  -- Issue 12: what operators did (or tried), per tenant; no personal data. Appended only.
  CREATE TABLE operator_audit (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    tenant_id  TEXT,
    action     TEXT NOT NULL,
    target     TEXT,
    outcome    TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
    detail     TEXT
  ) STRICT;
  CREATE INDEX operator_audit_tenant ON operator_audit (tenant_id, seq);
  -- The local parameters (fee, legal basis, …) that held when the submission was accepted, so the
  -- receipt always prints what applied then; and whether it was a tester's submission (never
  -- counted as a real one).
  ALTER TABLE submissions ADD COLUMN parameters_json TEXT;
  ALTER TABLE submissions ADD COLUMN is_test INTEGER NOT NULL DEFAULT 0 CHECK (is_test IN (0, 1));
  -- A test delivery's job says so itself, so every channel can mark what it sends (a header, a
  -- subject line) without reading the submission; and the last delivery per authority, real and
  -- test, is read from this index for the coverage report.
  ALTER TABLE delivery_jobs ADD COLUMN is_test INTEGER NOT NULL DEFAULT 0 CHECK (is_test IN (0, 1));
  CREATE INDEX delivery_jobs_last_delivered ON delivery_jobs (authority_id, is_test, delivered_at)
    WHERE state = 'delivered' AND channel <> 'email-citizen';
  -- Sessions of the operator console: the cookie's value is never stored, only its SHA-256, as
  -- for drafts. A session holds the SHA-256 of the token it was opened with, so that a token
  -- taken out of a tenant file (and reloaded) ends its sessions at once.
  CREATE TABLE operator_sessions (
    key          TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL,
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX operator_sessions_expiry ON operator_sessions (expires_at);
  -- Links an operator hands an authority's testers: only the SHA-256 of the token is kept. A
  -- tester's submissions may use the authority's "testing" route and are marked as tests.
  CREATE TABLE test_links (
    token_hash    TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    authority_id  TEXT NOT NULL,
    form_id       TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
  ) STRICT;
  -- Live reload across processes: one row counting the installation's successful reloads. The
  -- process that reloaded bumps it; every other process on this database sees the newer
  -- generation when it next looks and reloads too (src/live/live-configuration.ts).
  CREATE TABLE configuration_generation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    generation  INTEGER NOT NULL CHECK (generation >= 1),
    at          INTEGER NOT NULL
  ) STRICT;
  `,
  `
  -- Issue 13 point 5, retention: when a submission's personal data was deleted (its answers,
  -- payload and jobs' bodies blanked; reference, form, authority, status and events stay), on the
  -- submission and on each of its jobs (a purged job is never sent or retried again). The partial
  -- index holds only submissions not purged yet, oldest first: the clean-up reads from its start
  -- and purged rows leave it.
  ALTER TABLE submissions ADD COLUMN purged_at INTEGER;
  ALTER TABLE delivery_jobs ADD COLUMN purged_at INTEGER;
  CREATE INDEX submissions_unpurged ON submissions (created_at, id) WHERE purged_at IS NULL;
  `,
  `
  -- Issue 14 point 4: each submission's PDF receipt, rendered once (by the first caller) and kept,
  -- so the applicant's e-mail, the download, the authority's e-mail and its inbox serve the same
  -- bytes. The retention purge deletes the row with the rest of the personal data.
  CREATE TABLE receipts (
    submission_id  TEXT PRIMARY KEY REFERENCES submissions (id),
    pdf            BLOB NOT NULL,
    sha256         TEXT NOT NULL CHECK (length(sha256) = 64),
    created_at     INTEGER NOT NULL
  ) STRICT;
  `,
  `
  -- Issue 14 point 1: the worker's claim reads due jobs in next_attempt_at order from here, one
  -- state at a time, and stops after its limit. Through delivery_jobs_due it had to gather every
  -- due job of both states and sort them all, on every poll: with a backlog of thousands that sort
  -- took most of the worker's time. Inbox jobs (never pushed) are not in it at all.
  CREATE INDEX delivery_jobs_claim ON delivery_jobs (state, next_attempt_at) WHERE channel <> 'inbox';
  `,
  `
  -- Issue 15: the metadata of uploaded files (their bytes are in DATA_DIR/attachments under the
  -- same id). A page upload belongs to its draft (draft_key), an API upload to nobody until a
  -- submission takes it; submission_id is set once, in the submission's own transaction, with the
  -- file's position in the answers and, for an authority with a key, its sealed copy (a JWE).
  CREATE TABLE attachments (
    id              TEXT PRIMARY KEY,
    form_id         TEXT NOT NULL,
    field_pointer   TEXT NOT NULL,
    draft_key       TEXT,
    file_name       TEXT NOT NULL,
    media_type      TEXT NOT NULL,
    size            INTEGER NOT NULL CHECK (size > 0),
    sha512          TEXT NOT NULL CHECK (length(sha512) = 128),
    scanned         INTEGER NOT NULL CHECK (scanned IN (0, 1)),
    created_at      INTEGER NOT NULL,
    submission_id   TEXT REFERENCES submissions (id),
    position        INTEGER,
    sealed_file_id  TEXT,
    sealed_size     INTEGER,
    sealed_kid      TEXT
  ) STRICT;
  CREATE INDEX attachments_draft ON attachments (draft_key, created_at) WHERE submission_id IS NULL;
  CREATE INDEX attachments_submission ON attachments (submission_id, position) WHERE submission_id IS NOT NULL;
  CREATE INDEX attachments_unused ON attachments (created_at) WHERE submission_id IS NULL;
  `,
  `
  -- The clean-up asks which stored files a row names (attachment-ports.ts namedFiles): a file
  -- named by no row is what a crash between a file and its row left behind.
  CREATE INDEX attachments_sealed ON attachments (sealed_file_id) WHERE sealed_file_id IS NOT NULL;
  `,
  `
  -- An authority's e-mail past EMAIL_ATTACHMENT_MAX_BYTES goes without the files, which then wait
  -- in the inbox (held_at); retention keeps the submission until each held file was fetched.
  ALTER TABLE attachments ADD COLUMN held_at INTEGER;
  ALTER TABLE attachments ADD COLUMN fetched_at INTEGER;
  CREATE INDEX attachments_held ON attachments (submission_id) WHERE held_at IS NOT NULL AND fetched_at IS NULL;
  `,
];
