import path from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from '../../src/storage/sqlite/migrations';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store';
import { tempDir } from '../support/temp-dir';

/** A database written by an older efa-forms keeps its submissions and jobs across an upgrade. */
test('an older SQLite database is migrated with its data', async () => {
  const dir = tempDir('efa-migrate-');
  const file = path.join(dir.path, 'efa-forms.sqlite');
  const old = new Database(file);
  // The schema as of migration 2 (before the failed/dead job states), with one pending job.
  SQLITE_MIGRATIONS.slice(0, 2).forEach((sql, i) => {
    old.exec(sql);
    old.pragma(`user_version = ${i + 1}`);
  });
  old.prepare(`INSERT INTO submissions VALUES ('AAAA-BBBB-C', ?, 'f', '1.0.0', 't', 'a', '160510000000', 'de', '{"x":1}', 'accepted', 1)`).run('a'.repeat(64));
  old.prepare(`INSERT INTO delivery_jobs (id, submission_id, authority_id, channel, idempotency_key, content_type, body, state, attempts, next_attempt_at, created_at)
               VALUES ('j1', 'AAAA-BBBB-C', 'a', 'http', 'k1', 'application/xml', '<x/>', 'pending', 2, 5, 1)`).run();
  old.close();

  const store = openSqliteStore(dir.path);
  expect(await store.submissions.find('AAAA-BBBB-C')).toMatchObject({ dataJson: '{"x":1}', status: 'accepted', events: [] });
  // Migration 4 copies the payload from the authority's job onto the submission (for receipts).
  expect((await store.submissions.find('AAAA-BBBB-C'))?.payloadXml).toBe('<x/>');
  const [job] = await store.deliveries.jobsOf('AAAA-BBBB-C');
  expect(job).toMatchObject({ id: 'j1', state: 'pending', attempts: 2, idempotencyKey: 'k1', body: '<x/>' });
  const claimed = await store.deliveries.claimDue({ now: new Date(10), limit: 1, leaseMs: 1000, owner: 'w' });
  expect(await store.deliveries.markFailed(claimed[0]!.id, 'w', { error: 'e', nextAttemptAt: new Date(20), permanent: true, giveUpAfterMs: 1000, at: new Date(15) })).toBe('dead');
  await store.close();
  const reopened = new Database(file);
  expect(reopened.pragma('user_version', { simple: true })).toBe(SQLITE_MIGRATIONS.length);
  reopened.close();
  dir.remove();
});

/** Migration 9 (retention) adds purged_at: a delivered submission of an older database stays whole until it is due. */
test('a database of schema version 8 keeps its delivered submission through migration 9, which is then purged when due', async () => {
  const dir = tempDir('efa-migrate-9-');
  const file = path.join(dir.path, 'efa-forms.sqlite');
  const old = new Database(file);
  SQLITE_MIGRATIONS.slice(0, 8).forEach((sql, i) => {
    old.exec(sql);
    old.pragma(`user_version = ${i + 1}`);
  });
  old.prepare(`INSERT INTO submissions (id, token_hash, form_id, form_version, tenant_id, authority_id, region_ars, language, data_json, payload_xml, status, created_at)
               VALUES ('AAAA-BBBB-D', ?, 'f', '1.0.0', 't', 'a', '160510000000', 'de', '{"name":"Marker-9"}', '<x>Marker-9</x>', 'delivered', 1000)`).run('a'.repeat(64));
  old.prepare(`INSERT INTO delivery_jobs (id, submission_id, authority_id, channel, idempotency_key, content_type, body, state, attempts, next_attempt_at, delivered_at, created_at)
               VALUES ('j9', 'AAAA-BBBB-D', 'a', 'http', 'k9', 'application/xml', '<x>Marker-9</x>', 'delivered', 1, 1000, 2000, 1000)`).run();
  old.prepare("INSERT INTO submission_events (submission_id, seq, type, at, detail) VALUES ('AAAA-BBBB-D', 1, 'accepted', 1000, NULL), ('AAAA-BBBB-D', 2, 'delivered', 2000, 'http')").run();
  old.close();

  const store = openSqliteStore(dir.path);
  const before = await store.submissions.find('AAAA-BBBB-D');
  expect(before).toMatchObject({ dataJson: '{"name":"Marker-9"}', payloadXml: '<x>Marker-9</x>', status: 'delivered' });
  expect(before?.purgedAt).toBeUndefined();
  expect((await store.deliveries.findJob('j9'))?.purgedAt).toBeUndefined();
  const day = 24 * 3600 * 1000;
  expect(await store.submissions.purgeDue({ now: new Date(2000 + 2 * day - 1), defaultDays: 2, daysByForm: new Map(), limit: 10 })).toEqual({ purged: 0, removedFiles: [] });
  expect(await store.submissions.purgeDue({ now: new Date(2000 + 2 * day), defaultDays: 2, daysByForm: new Map(), limit: 10 })).toEqual({ purged: 1, removedFiles: [] });
  expect(await store.submissions.find('AAAA-BBBB-D')).toMatchObject({ dataJson: '', payloadXml: '', purgedAt: new Date(2000 + 2 * day) });
  expect((await store.submissions.find('AAAA-BBBB-D'))?.events.map((e) => e.type)).toEqual(['accepted', 'delivered', 'purged']);
  await store.close();
  dir.remove();
});
