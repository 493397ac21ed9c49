/**
 * The storage ports of operators' work: the audit trail of what they did, the console's sessions
 * and testers' links. Part of the store (see ports.ts, which re-exports them); like every port,
 * implemented by each adapter and checked by test/contract.
 */

/** One thing an operator did (or tried), as the operator audit trail keeps it: no personal data. */
export interface OperatorAuditEntry {
  readonly at: Date;
  /** Who acted: `admin` (the installation's token) or `<tenant-id>/<operator-id>`. */
  readonly actor: string;
  /** The tenant acted on; null for what concerns the whole installation (a reload). */
  readonly tenantId: string | null;
  /** A stable name: `delivery.retry`, `test-delivery`, `reload`, `sign-in`, … */
  readonly action: string;
  /** What was acted on (a job id, an authority id, a reference number); never personal data. */
  readonly target: string | null;
  readonly outcome: 'ok' | 'refused' | 'failed';
  /** A short reason (an error code, a count); never personal data. */
  readonly detail?: string;
}

/** The operators' audit trail: appended to, never changed. */
export interface OperatorAuditLog {
  record(entry: OperatorAuditEntry): Promise<void>;
  /** Newest first, at most `limit`; with `tenantId` only that tenant's entries. */
  list(filter: { readonly tenantId?: string; readonly limit: number }): Promise<OperatorAuditEntry[]>;
}

/** A signed-in session of the operator console (see src/http/console/). */
export interface OperatorSession {
  /** SHA-256 (hex) of the session cookie's value; the value itself is never stored. */
  readonly key: string;
  /** SHA-256 (hex) of the token the session was opened with: who it is, checked on every request. */
  readonly tokenHash: string;
  /** Sent with every form of the console and compared on every POST. */
  readonly csrfToken: string;
  readonly createdAt: Date;
  /** Idle expiry: moved forward on each request. */
  readonly expiresAt: Date;
}

export interface OperatorSessionStore {
  create(session: OperatorSession): Promise<void>;
  /** The session, unless it has expired by `now`. */
  find(key: string, now: Date): Promise<OperatorSession | undefined>;
  touch(key: string, expiresAt: Date): Promise<void>;
  delete(key: string): Promise<void>;
  /** Deletes every session that expired by `now`; how many. */
  deleteExpired(now: Date): Promise<number>;
}

/** A link that lets an authority's testers submit over its `testing` route (see src/test-delivery/test-links.ts). */
export interface TestLink {
  /** SHA-256 (hex) of the token in the link; the token itself is never stored. */
  readonly tokenHash: string;
  readonly tenantId: string;
  readonly authorityId: string;
  readonly formId: string;
  /** The actor who issued it (`admin` or `<tenant>/<operator>`). */
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export interface TestLinkStore {
  create(link: TestLink): Promise<void>;
  /** The link, unless it expired by `now`. */
  find(tokenHash: string, now: Date): Promise<TestLink | undefined>;
}
