import request from 'supertest';
import type { Container } from '../../src/container';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { sha256Hex } from '../../src/support/sha256';
import { buildContainer, example, SAMPLE_FORMS, writeSampleTenant } from '../support/test-setup';
import { tempDir } from '../support/temp-dir';

const ADMIN_TOKEN = 'openapi-admin-token';
const INBOX_KEY = 'openapi-inbox-key';

type Operation = { responses: Record<string, unknown>; requestBody?: unknown; parameters?: Array<{ name: string; in: string; example?: string }> };

describe('OpenAPI document', () => {
  const dir = tempDir();
  let container: Container;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>> };

  beforeAll(async () => {
    // Deliveries are not under test here: the worker is never started. Weimar (the dog tax
    // example's authority) fetches from its inbox, so the authority operations can be called.
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants);
    const env = writeSampleTenant(tenants, 'http://127.0.0.1:9', [], { 'stadt-weimar': { delivery: { type: 'inbox', apiKeyHashEnv: 'EFA_INBOX_WEIMAR' } } });
    container = await buildContainer({
      ...env, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'),
      ADMIN_TOKEN_HASH: sha256Hex(ADMIN_TOKEN), EFA_INBOX_WEIMAR: sha256Hex(INBOX_KEY),
      // No worker here, so /readyz judges the store alone.
      DELIVERY_WORKER: 'off',
    });
    doc = (await request(container.app).get('/api/openapi.json')).body;
  });
  afterAll(async () => {
    await container.close(1000);
    dir.remove();
  });

  test('is OpenAPI 3.1 and resolves all its local $refs', () => {
    expect(doc.openapi).toBe('3.1.0');
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) {
      const pointer = ref.slice('"$ref":"#/'.length, -1).split('/');
      let node: unknown = doc;
      for (const token of pointer) node = (node as Record<string, unknown>)[token];
      expect({ ref, found: node !== undefined }).toEqual({ ref, found: true });
    }
  });

  /** A dead job to retry: a submission to Erfurt whose one attempt was refused for good. */
  async function deadJob(): Promise<string> {
    const res = await request(container.app).post('/api/forms/gewerbeanmeldung/submissions').send({ data: example('gewerbeanmeldung', 'valid-1') });
    const claimed = await container.store.deliveries.claimDue({ now: new Date(Date.now() + 1000), limit: 100, leaseMs: 60_000, owner: 'openapi-test' });
    const job = claimed.find((j) => j.submissionId === (res.body as { id: string }).id && j.channel === 'http');
    await container.store.deliveries.markFailed(job!.id, 'openapi-test', { error: 'receiver answered HTTP 400', nextAttemptAt: new Date(), permanent: true, giveUpAfterMs: 1000, at: new Date() });
    return job!.id;
  }

  test('every documented operation answers with a status it documents', async () => {
    let accepted: { id: string; statusUrl: string; receiptUrl: string } | undefined;
    const calls: Array<[string, string]> = [];
    for (const [template, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        let url = template.replace('{formId}', 'hundesteuer-anmeldung');
        if (template.includes('{reference}')) {
          accepted ??= (await request(container.app).post('/api/forms/hundesteuer-anmeldung/submissions').send({ data: example('hundesteuer-anmeldung', 'valid-1') })).body;
          if (template.startsWith('/api/submissions/')) url = template.endsWith('/receipt.pdf') ? accepted!.receiptUrl : accepted!.statusUrl;
          else url = template.replace('{reference}', accepted!.id);
        }
        if (template.includes('{jobId}')) url = template.replace('{jobId}', await deadJob());
        url = url.replace('{authorityId}', 'stadt-weimar');
        // The dog tax has no file question: a file of it is answered with the documented 404
        // (downloads themselves: attachment-delivery-inbox.test.ts).
        const noSuchFile = template.includes('{attachmentId}');
        url = url.replace('{attachmentId}', '00000000-0000-4000-8000-000000000000');
        // Query parameters with an `example` are sent with it (the Routing API's leikaKey and area).
        const query = (operation.parameters ?? []).filter((p) => p.in === 'query' && p.example !== undefined);
        if (query.length > 0) url += `?${new URLSearchParams(query.map((p) => [p.name, p.example!])).toString()}`;
        const auth = template.startsWith('/api/admin/') ? ADMIN_TOKEN : template.startsWith('/api/authority/') ? INBOX_KEY : undefined;
        // Admin operations take no body (or an optional one); the others get an application.
        // The upload takes a file for a file question: the parking permit's vehicle registration.
        const upload = template === '/api/forms/{formId}/attachments';
        if (upload) url = url.replace('hundesteuer-anmeldung', 'anwohnerparkausweis');
        const req = upload ? request(container.app).post(url).attach('file', Buffer.from('%PDF-1.7\n% a file\n'), 'zulassung.pdf')
          : method === 'post'
            ? (template.startsWith('/api/admin/') ? request(container.app).post(url) : request(container.app).post(url).send({ data: example('hundesteuer-anmeldung', 'valid-1') }))
            : request(container.app).get(url);
        if (auth) req.set('authorization', `Bearer ${auth}`);
        const res = await req;
        expect({ call: `${method} ${template}`, status: res.status, documented: Object.keys(operation.responses).includes(String(res.status)) })
          .toEqual({ call: `${method} ${template}`, status: res.status, documented: true });
        if (noSuchFile) expect(res.status).toBe(404);
        else expect(res.status).toBeLessThan(300);
        calls.push([method, template]);
      }
    }
    expect(calls).toEqual(expect.arrayContaining([['get', '/api/authority/inbox'], ['post', '/api/admin/deliveries/{jobId}/retry'], ['get', '/healthz'], ['get', '/readyz'], ['get', '/api/forms'], ['get', '/api/forms/{formId}'], ['post', '/api/forms/{formId}/submissions'], ['post', '/api/forms/{formId}/attachments'], ['get', '/api/submissions/{reference}'], ['get', '/api/submissions/{reference}/receipt.pdf'], ['get', '/api/forms/{formId}/schema.xsd'], ['get', '/api/routes'], ['get', '/api/areas'], ['get', '/api/info'], ['get', '/.well-known/jwks.json']]));
  });
});
