import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatLongDateTime } from '../../src/i18n/formatters';
import { waitUntil } from '../support/channel-harness';
import { consoleAgentHelpers } from '../support/console-agent';
import { ADMIN_TOKEN, csrfOf, startConsoleFixture, TOKEN_A, TOKEN_B, type ConsoleFixture } from '../support/console-fixture';

/**
 * The operator console's pages in the real container (see console-fixture.ts; signing in is in
 * console-sign-in.test.ts, tenant scoping in console-scoping.test.ts): retry of a dead job (and
 * the worker delivering it), a test delivery's outcome (recorded as a test, shown as the last
 * successful test), coverage, a refused reload's problems, the audit trail and the language.
 */

let fixture: ConsoleFixture;

beforeEach(async () => {
  fixture = await startConsoleFixture({ signInLimit: 20 });
});
afterEach(async () => {
  await fixture.close();
});

const { signIn, csrfFrom, deadTestJob } = consoleAgentHelpers(() => fixture);

describe('what operators do', () => {
  it('retries a dead job: pending again, a retry event, an audit entry', async () => {
    const a = await signIn(TOKEN_A);
    const { jobId, reference } = await deadTestJob(a, 'a-gewerbeamt');
    const list = await a.get('/admin/deliveries').expect(200);
    expect(list.text).toContain(jobId);
    const res = await a.post(`/admin/deliveries/${jobId}/retry`).type('form').send({ _csrf: csrfOf(list.text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/deliveries/${jobId}?retried=1`);
    expect((await fixture.store.deliveries.findJob(jobId))?.state).toBe('pending');
    const job = await a.get(res.headers.location as string).expect(200);
    expect(job.text).toContain('Der Auftrag steht wieder in der Warteschlange.');
    const trail = await a.get(`/admin/submissions/${reference}`).expect(200);
    expect(trail.text).toContain('erneuter Versuch angefordert');
    // A second retry of the now pending job is refused readably.
    const again = await a.post(`/admin/deliveries/${jobId}/retry`).type('form').send({ _csrf: csrfOf(list.text) });
    expect(again.status).toBe(409);
    expect(again.text).toContain('wartend');
    const audit = await fixture.store.operatorAudit.list({ tenantId: 'land-a', limit: 2 });
    expect(audit.map((e) => `${e.action} ${e.target} ${e.outcome}`)).toEqual([`delivery.retry ${jobId} refused`, `delivery.retry ${jobId} ok`]);
  });

  it('a retry from the console is picked up by the worker and delivered', async () => {
    const a = await signIn(TOKEN_A);
    const { jobId, reference } = await deadTestJob(a, 'a-gewerbeamt');
    expect(fixture.receiver.requests).toHaveLength(1);
    const list = await a.get('/admin/deliveries').expect(200);
    await a.post(`/admin/deliveries/${jobId}/retry`).type('form').send({ _csrf: csrfOf(list.text) }).expect(303);
    fixture.container.worker.start();
    await fixture.receiver.waitFor((r) => r.length === 2);
    await waitUntil(async () => (await fixture.store.deliveries.findJob(jobId))?.state === 'delivered');
    const [, resent] = fixture.receiver.requests;
    expect(resent?.path).toBe('/a-gewerbeamt');
    expect(resent?.signatureValid).toBe(true);
    // Still a test: the retried job keeps its mark and its body.
    expect(resent?.headers['efa-test']).toBeDefined();
    expect(resent?.body).toBe(fixture.receiver.requests[0]?.body);
    const record = await fixture.store.submissions.find(reference);
    expect(record?.status).toBe('delivered');
    expect(record?.events.map((e) => e.type)).toEqual(['accepted', 'dead', 'retry_requested', 'delivered']);
    const trail = await a.get(`/admin/submissions/${reference}`).expect(200);
    expect(trail.text).toContain('erneuter Versuch angefordert');
    expect(trail.text).toMatch(/<td>zugestellt<\/td>/);
  });

  it('records a test delivery as a test and shows it as the authority\'s last successful test', async () => {
    const a = await signIn(TOKEN_A);
    const card = (html: string) => {
      const start = html.indexOf('<h3>Gewerbeamt Alpha</h3>');
      expect(start).toBeGreaterThan(-1);
      return html.slice(start, html.indexOf('</section>', start));
    };
    const factOf = (html: string, label: string) => new RegExp(`<dt>${label}</dt><dd>([^<]*)</dd>`).exec(card(html))?.[1];
    const before = await a.get('/admin/responsibilities').expect(200);
    expect(factOf(before.text, 'Letzte erfolgreiche Test-Zustellung')).toBe('noch nie');
    const csrf = await csrfFrom(a, '/admin/authorities/a-gewerbeamt');
    const res = await a.post('/admin/authorities/a-gewerbeamt/test-delivery').type('form').send({ _csrf: csrf }).expect(200);
    const reference = /class="con-id">([A-Z0-9-]+)<\/dd>/.exec(res.text)![1]!;
    const [job] = await fixture.store.deliveries.jobsOf(reference);
    expect(job).toMatchObject({ state: 'delivered', test: true, authorityId: 'a-gewerbeamt' });
    const record = await fixture.store.submissions.find(reference);
    expect(record?.test).toBe(true);
    const deliveredAt = record?.events.find((e) => e.type === 'delivered')?.at;
    expect(deliveredAt).toBeInstanceOf(Date);
    const after = await a.get('/admin/responsibilities').expect(200);
    expect(factOf(after.text, 'Letzte erfolgreiche Test-Zustellung')).toBe(formatLongDateTime(deliveredAt!, 'de'));
    // A test never counts as a real delivery.
    expect(factOf(after.text, 'Letzte echte Zustellung')).toBe('noch nie');
  });

  it('sends a test delivery over the authority\'s real channel and shows its outcome', async () => {
    const a = await signIn(TOKEN_A);
    const before = await a.get('/admin/responsibilities').expect(200);
    expect(before.text).toContain('Live, aber noch nie erfolgreich zugestellt');
    const csrf = await csrfFrom(a, '/admin/authorities/a-gewerbeamt');
    const res = await a.post('/admin/authorities/a-gewerbeamt/test-delivery').type('form').send({ _csrf: csrf }).expect(200);
    expect(res.text).toContain('zugestellt');
    const [received] = fixture.receiver.requests;
    expect(received?.path).toBe('/a-gewerbeamt');
    expect(received?.signatureValid).toBe(true);
    expect(received?.headers['efa-test']).toBeDefined();
    const after = await a.get('/admin/responsibilities').expect(200);
    expect(after.text).not.toContain('Live, aber noch nie erfolgreich zugestellt');
    // The trail of the test submission shows what happened, never the answers it carried.
    const reference = /class="con-id">([A-Z0-9-]+)<\/dd>/.exec(res.text)![1]!;
    const trail = await a.get(`/admin/submissions/${reference}`).expect(200);
    expect(trail.text).toContain('Test-Vorgang');
    expect(trail.text).not.toContain('Hans-Jürgen');
    expect(trail.text).not.toContain('Müller');
    const failed = await deadTestJob(a, 'a-gewerbeamt');
    const failedTrail = await a.get(`/admin/submissions/${failed.reference}`).expect(200);
    expect(failedTrail.text).toContain('Zustellung endgültig fehlgeschlagen');
  });

  it('shows a failure\'s technical reason marked as English, and waiting in the inbox in the console\'s language', async () => {
    const a = await signIn(TOKEN_A);
    fixture.receiver.respond = () => 500;
    const failed = await a.post('/admin/authorities/a-gewerbeamt/test-delivery').type('form').send({ _csrf: await csrfFrom(a, '/admin/authorities/a-gewerbeamt') }).expect(200);
    expect(failed.text).toContain('<div><dt>Technische Angabe (englisch)</dt><dd lang="en">receiver answered HTTP 500</dd></div>');
    fixture.receiver.respond = () => 204;

    // The authority now waits for its testers to fetch from its inbox.
    const file = path.join(fixture.tenantsDir, 'land-a.json');
    const tenant = JSON.parse(readFileSync(file, 'utf8')) as { authorities: Array<{ delivery: unknown }> };
    tenant.authorities[0]!.delivery = { type: 'inbox', apiKeyHashEnv: 'EFA_INBOX_A_GEWERBEAMT' };
    writeFileSync(file, JSON.stringify(tenant));
    await a.post('/admin/reload').type('form').send({ _csrf: await csrfFrom(a, '/admin/reload') }).expect(200);
    const queued = await a.post('/admin/authorities/a-gewerbeamt/test-delivery').type('form').send({ _csrf: await csrfFrom(a, '/admin/authorities/a-gewerbeamt') }).expect(200);
    expect(queued.text).toContain('liegt im Postfach zum Abruf bereit');
    expect(queued.text).toContain('<div><dt>Einzelheiten</dt><dd>Die Behörde ruft den Test-Antrag über ihr Postfach ab; erst der Abruf zählt als erfolgreicher Test.</dd></div>');
    expect(queued.text).not.toContain('waiting in the inbox');
    expect(queued.text).not.toContain('lang="en">');
  });

  it('shows coverage per form and district, counting only live responsibilities', async () => {
    const a = await signIn(TOKEN_A);
    const res = await a.get('/admin/coverage').expect(200);
    expect(res.text).toContain('Kreis Alpha-Nord');
    expect(res.text).toContain('Kreis Alpha-Süd');
    // Alpha-Nord is live (2 of 2); Alpha-Süd is planned and does not count: 2 of 3 in the state.
    expect(res.text).toContain('2 von 3');
    expect(res.text).toContain('2 von 2 (100 %)');
    const responsibilities = await a.get('/admin/responsibilities').expect(200);
    expect(responsibilities.text).toContain('geplant');
    expect(responsibilities.text).toContain('1. März 2027');
  });

  it('reloads, and shows a refused reload\'s problems one per line while the running set stays', async () => {
    const a = await signIn(TOKEN_A);
    const ok = await a.post('/admin/reload').type('form').send({ _csrf: await csrfFrom(a, '/admin/reload') });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('Die Konfiguration wurde neu geladen.');
    const file = path.join(fixture.tenantsDir, 'land-a.json');
    const tenant = JSON.parse(readFileSync(file, 'utf8')) as { authorities: Array<{ serves: Array<{ forms: string[] }> }> };
    tenant.authorities[0]!.serves[0]!.forms = ['no-such-form'];
    writeFileSync(file, JSON.stringify(tenant));
    const running = fixture.current();
    const refused = await a.post('/admin/reload').type('form').send({ _csrf: await csrfFrom(a, '/admin/reload') });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Das Neuladen wurde abgelehnt.');
    expect(refused.text).toMatch(/<li class="con-id">[^<]*land-a\.json: \/authorities\/0\/serves\/0\/forms\/0: form &quot;no-such-form&quot; is not loaded from FORMS_DIR<\/li>/);
    expect(fixture.current()).toBe(running);
    const audit = await fixture.store.operatorAudit.list({ limit: 2 });
    expect(audit.map((e) => `${e.action} ${e.outcome}`)).toEqual(['reload refused', 'reload ok']);
  });

  it('shows the operator audit trail, a tenant operator only its own tenant\'s entries', async () => {
    await signIn(TOKEN_B);
    const a = await signIn(TOKEN_A);
    const res = await a.get('/admin/audit').expect(200);
    expect(res.text).toContain('land-a/ops-alpha');
    expect(res.text).not.toContain('ops-bravo');
    const admin = await signIn(ADMIN_TOKEN);
    expect((await admin.get('/admin/audit')).text).toContain('land-b/ops-bravo');
  });

  it('switches to English and back, and stays on the page', async () => {
    const a = await signIn(TOKEN_A);
    const res = await a.get('/admin/coverage?lang=en');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/coverage');
    const english = await a.get('/admin/coverage').expect(200);
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain('Online coverage');
    // Handlebars writes "=" in attributes as &#x3D;, which browsers read as "=".
    expect(english.text).toContain('href="/admin/coverage?lang&#x3D;de"');
  });
});
