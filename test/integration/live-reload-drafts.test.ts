import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { hashSecret } from '../../src/drafts/draft-service';
import { tempDir } from '../support/temp-dir';
import { buildContainer, example, SAMPLE_FORMS, writeSampleTenant } from '../support/test-setup';

/**
 * A citizen's draft across a reload that changed its form (issue 12, point 4): the answers that
 * still fit are kept, the rest is named on the next page, and the draft moves to the new version.
 */
const ADMIN_TOKEN = 'admin-token-for-draft-tests';
const FORM = 'hundesteuer-anmeldung';

let dir: ReturnType<typeof tempDir>;
let container: Awaited<ReturnType<typeof buildContainer>> | undefined;

beforeEach(() => {
  dir = tempDir();
});
afterEach(async () => {
  await container?.close(2000);
  container = undefined;
  dir.remove();
});

interface FormJson {
  version: string;
  schema: { properties: { halter: { properties: Record<string, { enum?: string[] }> } } };
  ui: { fields: Record<string, { options?: Record<string, unknown> }> };
}

test('a draft whose form changed keeps the answers that fit and says plainly which must be given again', async () => {
  const forms = path.join(dir.path, 'forms');
  cpSync(SAMPLE_FORMS, forms, { recursive: true });
  const tenants = path.join(dir.path, 'tenants');
  mkdirSync(tenants);
  const env = {
    ...writeSampleTenant(tenants, 'http://127.0.0.1:9'),
    FORMS_DIR: forms, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'),
    ADMIN_TOKEN_HASH: createHash('sha256').update(ADMIN_TOKEN).digest('hex'),
  };
  const c = await buildContainer(env);
  container = c;

  // A citizen starts and has answered everything (as if typed step by step).
  const started = await request(c.app).get(`/forms/${FORM}/start`);
  const cookie = /efa_draft=([^;]+)/.exec(started.headers['set-cookie']![0]!)![1]!;
  const answers = example(FORM, 'valid-1');
  const at = new Date();
  await c.store.drafts.update(hashSecret(cookie), { dataJson: JSON.stringify(answers), updatedAt: at, expiresAt: new Date(at.getTime() + 86_400_000) });

  // The operator publishes version 1.1.0: "keine Angabe" is no longer a salutation one may choose.
  const file = path.join(forms, FORM, 'form.json');
  const form = JSON.parse(readFileSync(file, 'utf8')) as FormJson;
  form.version = '1.1.0';
  form.schema.properties.halter.properties.anrede!.enum = ['frau', 'herr'];
  delete form.ui.fields['/halter/anrede']!.options!['keine-angabe'];
  writeFileSync(file, JSON.stringify(form, null, 2));
  expect((await request(c.app).post('/api/admin/reload').set('authorization', `Bearer ${ADMIN_TOKEN}`)).status).toBe(200);

  // The next page the citizen opens tells them, in their language, and leads on to that page.
  const stepUrl = `/forms/${FORM}/steps/halter`;
  const notice = await request(c.app).get(stepUrl).set('cookie', `efa_draft=${cookie}`).set('accept-language', 'de');
  expect(notice.status).toBe(200);
  expect(notice.text).toContain('Das Formular wurde geändert');
  expect(notice.text).toContain('diese passen nicht mehr dazu und müssen Sie bitte erneut machen: Anrede.');
  expect(notice.text).toContain(`href="${stepUrl}"`);

  const draft = await c.store.drafts.find(hashSecret(cookie), new Date());
  expect(draft?.formVersion).toBe('1.1.0');
  const kept = JSON.parse(draft!.dataJson) as typeof answers & { halter: Record<string, unknown> };
  const otherHalter = { ...(answers.halter as Record<string, unknown>) };
  delete otherHalter.anrede;
  expect(kept).toEqual({ ...answers, halter: otherHalter });

  // Told once: the page itself comes next, with the kept answers in it.
  const page = await request(c.app).get(stepUrl).set('cookie', `efa_draft=${cookie}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('name="_csrf"');
  expect(page.text).toContain('value="Schillerstraße"');
  expect(page.text).not.toContain('Das Formular wurde geändert');
});
