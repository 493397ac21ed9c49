import request from 'supertest';
import { channelHarness, waitUntil } from '../support/channel-harness';
import { csrfOf, encodeForm, postStepForm, stepFiles, stepFormFields } from '../support/page-form';
import { pdfText, squash } from '../support/pdf';
import { valueOf } from '../support/prometheus';
import { startReceiver, type TestReceiver } from '../support/http-receiver';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { example, readJson, SAMPLE_TENANT, secretFor } from '../support/test-setup';
import { withUploads } from '../support/with-uploads';
import type { Tenant } from '../../src/routing/tenant';
import { sha256Hex } from '../../src/support/sha256';

const ADMIN_TOKEN = 'tester-link-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const FORM = 'anwohnerparkausweis';
const JENA = 'stadt-jena-buergeramt';

/**
 * Issue 12, point 2: a `testing` route refuses citizens with "not yet online here", while a
 * tester's link lets the authority's testers go through the real pages end to end; what they
 * send is a test everywhere (payload header, HTTP header, receipt watermark, e-mail subject) and
 * never counted as a real delivery.
 */
describe("a tester's link for a testing route", () => {
  const harness = channelHarness();
  let receiver: TestReceiver | undefined;
  let smtp: TestSmtp | undefined;
  afterEach(async () => {
    await harness.close();
    await receiver?.close();
    await smtp?.close();
  });

  async function start() {
    receiver = await startReceiver(secretFor);
    smtp = await startSmtp();
    // Jena's parking permits are being tested: its responsibility for them is `testing`.
    const jena = readJson<Tenant>(SAMPLE_TENANT).authorities.find((a) => a.id === JENA)!;
    const serves = jena.serves.map((entry) => ({ ...entry, forms: entry.forms.filter((f) => f !== FORM) })).filter((e) => e.forms.length > 0);
    const testing = { forms: [FORM], regions: jena.serves[0]!.regions, rollout: 'testing' as const };
    const c = await harness.start(receiver.url, { [JENA]: { serves: [...serves, testing] } }, {
      ADMIN_TOKEN_HASH: sha256Hex(ADMIN_TOKEN), SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    });
    c.worker.start();
    return c;
  }

  /** Every step with these answers; the agent ends on the check page (or on a refused step). */
  async function fillIn(agent: ReturnType<typeof request.agent>, model: NonNullable<ReturnType<Awaited<ReturnType<typeof start>>['forms']['get']>>, data: Record<string, unknown>) {
    const started = await agent.get(`/forms/${FORM}/start`);
    let location = started.headers.location as string;
    const pages: string[] = [];
    while (location.includes('/steps/')) {
      const stepId = location.split('/steps/')[1]!.split('?')[0]!;
      const page = await agent.get(location);
      pages.push(page.text);
      const step = model.steps.find((s) => s.id === stepId)!;
      const posted = await postStepForm(agent, location, [['_csrf', csrfOf(page.text)], ...stepFormFields(model, step, data), ['_action', 'continue']], stepFiles(step, data));
      if (posted.status !== 303) return { refused: posted, pages };
      location = posted.headers.location as string;
    }
    return { location, pages };
  }

  test('citizens are told it is not yet online; the tester goes through, marked as test from page to receipt', async () => {
    const c = await start();
    const model = c.forms.get(FORM)!;
    const data = example(FORM, 'valid-2');

    // A citizen (no link) is refused on the region step, and the API says 422.
    const citizen = await fillIn(request.agent(c.app), model, data);
    expect(citizen.refused?.status).toBe(400);
    expect(citizen.refused?.text).toContain('Für Jena ist dieser Antrag noch nicht online verfügbar.');
    const api = await request(c.app).post(`/api/forms/${FORM}/submissions`).send({ data: await withUploads(c.app, FORM, data) });
    expect([api.status, api.body.code]).toEqual([422, 'SERVICE_NOT_YET_ONLINE']);

    // The operator issues a link; the tester opens it and goes through the real pages.
    const issued = await request(c.app).post(`/api/admin/authorities/${JENA}/test-links`).set(admin).send({ formId: FORM, validDays: 7 });
    expect(issued.status).toBe(201);
    const link = (issued.body as { url: string }).url;
    const audit = await request(c.app).get('/api/admin/audit').set(admin);
    expect(audit.body.items[0]).toMatchObject({ actor: 'admin', tenantId: 'thueringen', action: 'test-link', target: JENA, outcome: 'ok' });
    expect(JSON.stringify(audit.body)).not.toContain(link.split('/').pop());
    expect(link).toMatch(/^\/test-access\/[A-Za-z0-9_-]{43}$/);
    const tester = request.agent(c.app);
    const opened = await tester.get(link);
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe(`/forms/${FORM}`);
    const cookie = (opened.headers['set-cookie'] as unknown as string[]).find((v) => v.startsWith('efa_tester='))!;
    expect(cookie).toMatch(new RegExp(`^efa_tester=[A-Za-z0-9_-]{43}; Path=/forms/${FORM}; HttpOnly; SameSite=Lax; Max-Age=\\d+$`));
    const walked = await fillIn(tester, model, data);
    expect(walked.refused).toBeUndefined();
    expect(walked.location).toBe(`/forms/${FORM}/check`);
    // Every page says it is a test.
    for (const page of walked.pages) expect(page).toContain('<p class="efa-test-mode" role="note"><strong>Testzugang:</strong>');
    const check = await tester.get(`/forms/${FORM}/check`);
    expect(check.text).toContain('efa-test-mode');
    const declarations = model.declarations.map((d) => [d.pattern, 'true'] as [string, string]);
    const done = await tester.post(`/forms/${FORM}/check`).type('form').send(encodeForm([['_csrf', csrfOf(check.text)], ...declarations, ['_action', 'submit']]));
    expect(done.status).toBe(303);
    const confirmation = await tester.get(done.headers.location as string);
    expect(confirmation.status).toBe(200);
    expect(confirmation.text).toContain('efa-test-mode');
    const reference = /<strong class="efa-reference">([^<]+)<\/strong>/.exec(confirmation.text)![1]!;

    // The whole pipeline, marked as a test: stored, pushed with the test header and the header element.
    const record = await c.store.submissions.find(reference);
    expect(record).toMatchObject({ authorityId: JENA, test: true });
    // With the files chosen on the vehicle step.
    expect((await c.store.attachments.ofSubmission(reference)).map((a) => a.fileName)).toEqual(['nachweis-1.pdf', 'nachweis-2.pdf']);
    await waitUntil(() => receiver!.requests.some((r) => r.body.includes(reference)));
    const pushed = receiver!.requests.find((r) => r.body.includes(reference))!;
    expect(pushed.signatureValid).toBe(true);
    expect(pushed.headers['efa-test']).toBe('true');
    expect(pushed.body).toContain('<test>true</test>');
    // The tester's confirmation e-mail says [TEST] in the subject.
    await smtp!.waitFor(1);
    expect(smtp!.messages[0]!.subject).toMatch(/^\[TEST\] /);
    // The receipt carries the TEST watermark.
    const receiptUrl = /href="([^"]+receipt\.pdf[^"]*)"/.exec(confirmation.text)![1]!.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    const pdf = await tester.get(receiptUrl).buffer(true).parse((res, callback) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => callback(null, Buffer.concat(chunks)));
    });
    expect({ url: receiptUrl, status: pdf.status }).toEqual({ url: receiptUrl, status: 200 });
    // The notice under the title (the diagonal watermark is drawn too, but text extraction cuts it up).
    expect(squash(pdfText(pdf.body as Buffer))).toContain('Testeinreichung – nicht bearbeiten');

    // Never counted as a real delivery: the authority has a successful test and no real one.
    await waitUntil(async () => (await c.store.submissions.find(reference))?.status === 'delivered');
    const authorities = await request(c.app).get('/api/admin/authorities').set(admin);
    const jena = (authorities.body.items as Array<Record<string, unknown>>).find((a) => a.id === JENA)!;
    expect(jena.lastRealDeliveryAt).toBeNull();
    expect(typeof jena.lastSuccessfulTestAt).toBe('string');
    // Nor in the metrics: counted as a test, not as an accepted submission.
    const metrics = (await request(c.app).get('/metrics').set(admin)).text;
    expect(valueOf(metrics, 'efa_submissions_total', { form: FORM, outcome: 'test' })).toBe(1);
    expect(valueOf(metrics, 'efa_submissions_total', { form: FORM, outcome: 'accepted' })).toBe(0);
  });

  test("the link is for its own authority only: another authority's live municipality is refused, nothing is sent as a test", async () => {
    const c = await start();
    const model = c.forms.get(FORM)!;
    const issued = await request(c.app).post(`/api/admin/authorities/${JENA}/test-links`).set(admin).send({ formId: FORM });
    const tester = request.agent(c.app);
    await tester.get((issued.body as { url: string }).url).expect(303);
    // Erfurt is live, with another authority: with Jena's link it must neither become a test nor reach Erfurt.
    const erfurt = example(FORM, 'valid-1');
    const walked = await fillIn(tester, model, erfurt);
    expect(walked.refused?.status).toBe(400);
    expect(walked.refused?.text).toContain('Dieser Testzugang gilt nur für Stadtverwaltung Jena, Bürgerservice. Für Erfurt ist eine andere Stelle zuständig');
    // The check page's send is refused the same way (the region answer was kept in the draft).
    const check = await tester.get(`/forms/${FORM}/check`);
    const declarations = model.declarations.map((d) => [d.pattern, 'true'] as [string, string]);
    const sent = await tester.post(`/forms/${FORM}/check`).type('form').send(encodeForm([['_csrf', csrfOf(check.text)], ...declarations, ['_action', 'submit']]));
    expect(sent.status).toBe(400);
    expect(sent.text).toContain('Dieser Testzugang gilt nur für');
    expect(receiver!.requests).toHaveLength(0);
    // Without the link, the same answers are an ordinary application to Erfurt.
    const real = await request(c.app).post(`/api/forms/${FORM}/submissions`).send({ data: await withUploads(c.app, FORM, erfurt) });
    expect(real.status).toBe(201);
    expect((await c.store.submissions.find(real.body.id as string))?.test).toBeUndefined();
  });

  test('an unknown or expired link is a readable page, and the pages stay the citizen\'s', async () => {
    const c = await start();
    const agent = request.agent(c.app);
    const unknown = await agent.get(`/test-access/${'A'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.type).toBe('text/html');
    expect(unknown.text).toContain('Dieser Testzugang gilt nicht');
    const garbage = await agent.get('/test-access/%3Cscript%3E');
    expect(garbage.status).toBe(404);
    // A forged cookie opens nothing.
    const forged = await request(c.app).get(`/forms/${FORM}`).set('cookie', `efa_tester=${'B'.repeat(43)}`);
    expect(forged.status).toBe(200);
    expect(forged.text).not.toContain('efa-test-mode');
  });
});
