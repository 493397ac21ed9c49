import request from 'supertest';
import type { Container } from '../../src/container';
import { sampleContainer, example } from '../support/test-setup';
import { tempDir } from '../support/temp-dir';

type Operation = { responses: Record<string, unknown>; requestBody?: unknown };

describe('OpenAPI document', () => {
  const dir = tempDir();
  let container: Container;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>> };

  beforeAll(async () => {
    // Deliveries are not under test here: the worker is never started.
    container = await sampleContainer(dir.path);
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

  test('every documented operation answers with a status it documents', async () => {
    let accepted: { id: string; statusUrl: string; receiptUrl: string } | undefined;
    const calls: Array<[string, string]> = [];
    for (const [template, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        let url = template.replace('{formId}', 'hundesteuer-anmeldung');
        if (template.includes('{reference}')) {
          accepted ??= (await request(container.app).post('/api/forms/hundesteuer-anmeldung/submissions').send({ data: example('hundesteuer-anmeldung', 'valid-1') })).body;
          url = template.endsWith('/receipt.pdf') ? accepted!.receiptUrl : accepted!.statusUrl;
        }
        const req = method === 'post'
          ? request(container.app).post(url).send({ data: example('hundesteuer-anmeldung', 'valid-1') })
          : request(container.app).get(url);
        const res = await req;
        expect({ call: `${method} ${template}`, status: res.status, documented: Object.keys(operation.responses).includes(String(res.status)) })
          .toEqual({ call: `${method} ${template}`, status: res.status, documented: true });
        expect(res.status).toBeLessThan(300);
        calls.push([method, template]);
      }
    }
    expect(calls).toEqual(expect.arrayContaining([['get', '/healthz'], ['get', '/api/forms'], ['get', '/api/forms/{formId}'], ['post', '/api/forms/{formId}/submissions'], ['get', '/api/submissions/{reference}'], ['get', '/api/submissions/{reference}/receipt.pdf'], ['get', '/api/forms/{formId}/schema.xsd']]));
  });
});
