import { job, submission } from '../contract/store-contract-fixtures';
import { consoleAgentHelpers } from '../support/console-agent';
import { csrfOf, startConsoleFixture, TOKEN_A, type ConsoleFixture } from '../support/console-fixture';

/**
 * The console and retention (docs/retention.md): once a submission's personal data is deleted,
 * its job page offers no retry, and a retry posted anyway is refused with a readable 410 page and
 * recorded as refused in the operators' audit trail. The submission is written through the
 * store (delivered to the authority; the applicant's e-mail given up), the container's clock is
 * moved past RETENTION_DAYS and its clean-up run.
 */

let fixture: ConsoleFixture;

beforeEach(async () => {
  fixture = await startConsoleFixture({ signInLimit: 20 });
});
afterEach(async () => {
  await fixture.close();
});

const { signIn } = consoleAgentHelpers(() => fixture);
const DAY = 24 * 3600 * 1000;

test('a purged submission\'s given-up job: no retry button, a posted retry answers 410 and is audited as refused', async () => {
  const { store } = fixture;
  const at = fixture.clock;
  const s = submission({ tenantId: 'land-a', authorityId: 'a-gewerbeamt', formId: 'gewerbeanmeldung', regionArs: '150010000000', createdAt: at });
  const toAuthority = job(s.id, { authorityId: 'a-gewerbeamt' });
  const toApplicant = job(s.id, { authorityId: 'a-gewerbeamt', channel: 'email-citizen' });
  await store.submissions.create(s, [toAuthority, toApplicant]);
  const claimed = await store.deliveries.claimDue({ now: at, limit: 10, leaseMs: 60_000, owner: 'test-worker' });
  expect(claimed.map((j) => j.id).sort()).toEqual([toAuthority.id, toApplicant.id].sort());
  expect(await store.deliveries.markDelivered(toAuthority.id, at)).toBe(true);
  expect(await store.deliveries.markFailed(toApplicant.id, 'test-worker', { error: 'smtp 550', nextAttemptAt: at, permanent: true, giveUpAfterMs: DAY, at })).toBe('dead');

  // Before the purge the given-up e-mail can be retried from its page.
  const before = await (await signIn(TOKEN_A)).get(`/admin/deliveries/${toApplicant.id}`).expect(200);
  expect(before.text).toContain(`/admin/deliveries/${toApplicant.id}/retry`);

  fixture.clock = new Date(at.getTime() + 31 * DAY);
  expect(await fixture.container.retentionCleanup.runOnce()).toBe(1);
  // A month later the earlier console session has expired: a new sign-in.
  const a = await signIn(TOKEN_A);

  const page = await a.get(`/admin/deliveries/${toApplicant.id}`).expect(200);
  expect(page.text).not.toContain(`/admin/deliveries/${toApplicant.id}/retry`);
  const res = await a.post(`/admin/deliveries/${toApplicant.id}/retry`).type('form').send({ _csrf: csrfOf(page.text) });
  expect(res.status).toBe(410);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.text).toContain('Aufbewahrungsfrist gelöscht');
  expect((await store.deliveries.findJob(toApplicant.id))?.state).toBe('dead');
  const [entry] = await store.operatorAudit.list({ tenantId: 'land-a', limit: 1 });
  expect(entry).toMatchObject({ action: 'delivery.retry', target: toApplicant.id, outcome: 'refused', detail: 'SUBMISSION_DATA_DELETED' });
});
