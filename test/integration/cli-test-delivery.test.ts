import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Container } from '../../src/container';
import type { Tenant } from '../../src/routing/tenant';
import { sha256Hex } from '../../src/support/sha256';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { runCli, STACK_LINE } from '../support/run-cli';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { tempDir } from '../support/temp-dir';
import { buildContainer, readJson, SAMPLE_FORMS, secretFor, writeSampleTenant } from '../support/test-setup';

/**
 * `efa-forms test-delivery` and `efa-forms test-link` as an operator runs them: a real process
 * (src/cli/main.ts through tsx) with the server's environment, beside a "running server" (a
 * container in the test process on the same DATA_DIR, left open, its worker not started). The
 * authorities' channels are a real HTTP receiver that checks signatures and a real SMTP server.
 */

// One test at a time: CLI processes started all at once would take the CPU from timing-sensitive
// tests running in the other jest worker.
jest.setTimeout(90_000);

const ERFURT = 'stadt-erfurt-buergeramt';
const JENA = 'stadt-jena-buergeramt';

describe('efa-forms test-delivery and test-link', () => {
  let dir: ReturnType<typeof tempDir>;
  let receiver: TestReceiver;
  let smtp: TestSmtp;
  let server: Container;
  let env: Record<string, string>;
  let tenant: Tenant;

  beforeAll(async () => {
    dir = tempDir('efa-cli-test-delivery-');
    receiver = await startReceiver(secretFor);
    smtp = await startSmtp();
    const tenantsDir = path.join(dir.path, 'tenants');
    mkdirSync(tenantsDir);
    // Jena gets its submissions by e-mail; everyone else by signed HTTP to the receiver.
    const secrets = writeSampleTenant(tenantsDir, receiver.url, [], { [JENA]: { delivery: { type: 'email' } } });
    tenant = readJson<Tenant>(path.join(tenantsDir, 'thueringen.json'));
    env = {
      ...secrets, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenantsDir, DATA_DIR: path.join(dir.path, 'data'),
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, PUBLIC_BASE_URL: 'https://formulare.example.org',
    };
    server = await buildContainer(env);
  });
  afterAll(async () => {
    await server.close(1000);
    await receiver.close();
    await smtp.close();
    dir.remove();
  });
  beforeEach(() => {
    receiver.respond = () => 204;
  });

  const LINE = /^test delivery to (\S+) \(tenant thueringen\) over (\w+), reference ([0-9A-Z-]+): (delivered|failed|queued)(?: \((.+)\))?\n$/;

  test('delivered over signed HTTP: exit 0, one line, and a test submission and job in the server\'s database', async () => {
    const run = await runCli(['test-delivery', ERFURT], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [, authority, channel, reference, outcome] = LINE.exec(run.stdout) ?? [];
    expect([authority, channel, outcome]).toEqual([ERFURT, 'http', 'delivered']);
    const sent = receiver.requests.at(-1)!;
    expect(sent.path).toBe(`/${ERFURT}`);
    expect(sent.signatureValid).toBe(true);
    expect(sent.headers['efa-test']).toBe('true');
    expect(sent.body).toContain('<test>true</test>');
    expect(sent.body).toContain(reference!);
    // The server's own store sees it: a test submission, its job delivered and marked as a test.
    expect((await server.store.submissions.find(reference!))?.test).toBe(true);
    expect((await server.store.deliveries.jobsOf(reference!)).map((j) => [j.authorityId, j.channel, j.state, j.test])).toEqual([[ERFURT, 'http', 'delivered', true]]);
    expect((await server.store.deliveries.lastDeliveries()).get(ERFURT)?.test).toBeInstanceOf(Date);
    const audit = await server.store.operatorAudit.list({ limit: 5 });
    expect(audit[0]).toMatchObject({ actor: 'admin', action: 'test-delivery', target: ERFURT, outcome: 'ok' });
  });

  test('--json: the outcome as the admin API answers it', async () => {
    const run = await runCli(['test-delivery', ERFURT, '--json'], env);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(result).sort()).toEqual(['at', 'authorityId', 'channel', 'formId', 'outcome', 'reference', 'tenantId']);
    expect(result).toMatchObject({ authorityId: ERFURT, tenantId: 'thueringen', channel: 'http', outcome: 'delivered' });
  });

  test('failed (the receiver answers 500): exit 2, the line says why, the job is dead and marked as a test', async () => {
    receiver.respond = () => 500;
    const before = receiver.requests.length;
    const run = await runCli(['test-delivery', ERFURT], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('');
    const [, , , reference, outcome, detail] = LINE.exec(run.stdout) ?? [];
    expect([outcome, detail]).toEqual(['failed', 'receiver answered HTTP 500']);
    expect(receiver.requests.length).toBe(before + 1);
    expect((await server.store.deliveries.jobsOf(reference!)).map((j) => [j.state, j.test])).toEqual([['dead', true]]);
  });

  test('e-mail: delivered to the functional mailbox with [TEST] in the subject', async () => {
    const before = smtp.messages.length;
    const run = await runCli(['test-delivery', JENA], env);
    expect(run.code).toBe(0);
    const [, authority, channel, reference, outcome] = LINE.exec(run.stdout) ?? [];
    expect([authority, channel, outcome]).toEqual([JENA, 'email', 'delivered']);
    await smtp.waitFor(before + 1);
    const mail = smtp.messages.at(-1)!;
    expect(mail.subject).toMatch(/^\[TEST\] /);
    expect(mail.subject).toContain(reference!);
    expect(mail.headers.get('x-efa-test')).toBe('true');
    expect((await server.store.deliveries.jobsOf(reference!)).map((j) => [j.channel, j.state, j.test])).toEqual([['email', 'delivered', true]]);
  });

  test('an unknown authority: exit 1, one line naming it and the known ones, no stack trace, nothing sent', async () => {
    const before = receiver.requests.length;
    const run = await runCli(['test-delivery', 'stadt-atlantis'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const known = tenant.authorities.map((a) => a.id);
    expect(known.length).toBeLessThanOrEqual(20);
    expect(run.stderr).toBe(`efa-forms test-delivery: no authority "stadt-atlantis" in the tenant files of ${env.TENANTS_DIR} (there: ${known.join(', ')})\n`);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(receiver.requests.length).toBe(before);
    // With --json the same refusal as a document.
    const json = await runCli(['test-delivery', 'stadt-atlantis', '--json'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ ok: false, problems: [expect.stringContaining('no authority "stadt-atlantis"')] });
  });

  test('of many authorities, the first 20 are named and the rest counted', async () => {
    const many = path.join(dir.path, 'many-tenants');
    mkdirSync(many);
    const extra = Array.from({ length: 25 }, (_, i) => ({
      id: `gemeinde-${String(i + 1).padStart(2, '0')}`, name: `Gemeinde ${i + 1}`, email: `g${i + 1}@example.org`, delivery: { type: 'email' },
      serves: [{ forms: ['hundesteuer-anmeldung'], regions: [tenant.municipalities[i % tenant.municipalities.length]!.ars] }],
    }));
    writeFileSync(path.join(many, 'thueringen.json'), JSON.stringify({ ...tenant, authorities: [...extra, ...tenant.authorities] }, null, 2));
    const run = await runCli(['test-delivery', 'stadt-atlantis'], { ...env, TENANTS_DIR: many });
    expect(run.code).toBe(1);
    const first20 = extra.slice(0, 20).map((a) => a.id).join(', ');
    expect(run.stderr).toBe(`efa-forms test-delivery: no authority "stadt-atlantis" in the tenant files of ${many} (there: ${first20}, and ${25 + tenant.authorities.length - 20} more)\n`);
  });

  test('no database in DATA_DIR: exit 1, one line, and no database is created there', async () => {
    const elsewhere = path.join(dir.path, 'mistyped-data');
    const run = await runCli(['test-delivery', ERFURT], { ...env, DATA_DIR: elsewhere });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringContaining(`no database in DATA_DIR ${elsewhere} (efa-forms.sqlite)`)]);
    expect(existsSync(elsewhere)).toBe(false);
    // A setting the server would refuse is one line too.
    const bad = await runCli(['test-delivery', ERFURT], { ...env, DELIVERY_TIMEOUT_MS: 'soon' });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^configuration error: DELIVERY_TIMEOUT_MS/)]);
    expect(bad.stderr).not.toMatch(STACK_LINE);
  });

  test('test-link: prints a link that opens the form on the running server, and its expiry; the store keeps only its hash', async () => {
    const run = await runCli(['test-link', ERFURT, '--form', 'hundesteuer-anmeldung', '--days', '3'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [url, expiry] = run.stdout.trimEnd().split('\n');
    const match = /^https:\/\/formulare\.example\.org(\/test-access\/([A-Za-z0-9_-]{43}))$/.exec(url ?? '');
    expect(match).not.toBeNull();
    const [, linkPath, token] = match!;
    const expires = /^expires (\S+) \(authority stadt-erfurt-buergeramt, tenant thueringen, form hundesteuer-anmeldung\)$/.exec(expiry ?? '');
    expect(expires).not.toBeNull();
    const days = (Date.parse(expires![1]!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(2.9);
    expect(days).toBeLessThanOrEqual(3);
    const stored = await server.store.testLinks.find(sha256Hex(token!), new Date());
    expect(stored).toMatchObject({ authorityId: ERFURT, formId: 'hundesteuer-anmeldung', tenantId: 'thueringen', createdBy: 'admin' });
    // The running server (a container on the same DATA_DIR) takes the link: into the form, not a 404.
    const opened = await request(server.app).get(linkPath!);
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toMatch(/hundesteuer-anmeldung/);
    const forged = await request(server.app).get(`/test-access/${'A'.repeat(43)}`);
    expect(forged.status).toBe(404);
  });

  test('test-link --json, and its refusals: one line each, exit 1', async () => {
    const json = await runCli(['test-link', ERFURT, '--json'], env);
    expect(json.code).toBe(0);
    const link = JSON.parse(json.stdout) as Record<string, string>;
    expect(Object.keys(link)).toEqual(['url', 'authorityId', 'tenantId', 'formId', 'expiresAt']);
    expect(link.url).toMatch(/^https:\/\/formulare\.example\.org\/test-access\//);
    const served = [...new Set(tenant.authorities.find((a) => a.id === ERFURT)!.serves.flatMap((s) => s.forms))].sort();
    expect(link.formId).toBe(served[0]);

    const notServed = await runCli(['test-link', ERFURT, '--form', 'nope'], env);
    expect([notServed.code, notServed.stderr]).toEqual([1, `efa-forms test-link: authority "${ERFURT}" does not serve form "nope" (it serves: ${served.join(', ')})\n`]);
    const badDays = await runCli(['test-link', ERFURT, '--days', '91'], env);
    expect([badDays.code, badDays.stderr]).toEqual([1, 'efa-forms test-link: --days must be a whole number of days from 1 to 90, not "91"\n']);
    const unknown = await runCli(['test-link', 'stadt-atlantis'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toEqual([expect.stringContaining('no authority "stadt-atlantis"')]);
  });

  test('help: usage, outcomes and the exit codes, 2 for a failed delivery', async () => {
    const help = await runCli(['test-delivery', '--help']);
    expect(help.code).toBe(0);
    for (const text of ['Usage: efa-forms test-delivery <authority-id> [--json]', 'DATA_DIR', 'delivered', 'queued', '2  failed']) expect(help.stdout).toContain(text);
    const linkHelp = await runCli(['help', 'test-link']);
    for (const text of ['Usage: efa-forms test-link <authority-id> [--form <id>] [--days <n>]', 'PUBLIC_BASE_URL', 'Exit codes']) expect(linkHelp.stdout).toContain(text);
    const global = await runCli(['--help']);
    expect(global.stdout).toMatch(/^ {2}test-delivery\s+Send a test submission/m);
    expect(global.stdout).toMatch(/^ {2}test-link\s+Issue a tester's link/m);
  });
});
