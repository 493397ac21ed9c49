import { readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Container } from '../../src/container';
import { stepApplies } from '../../src/forms/applicability';
import { summaryRows } from '../../src/forms/summary';
import { loadPageRenderer } from '../../src/render/templates';
import { createMunicipalitySearch } from '../../src/routing/municipality-search';
import type { AttachmentRecord } from '../../src/storage/attachment-ports';
import { attachment, attachmentNames, getBinary, pageCount, pdfText, qpdfCheck, squash } from '../support/pdf';
import { pdfA3bProblems } from '../support/pdfa';
import { pdfA3bPreflightProblems } from '../support/preflight';
import { NAMES } from '../support/receipt-fixture';
import { sampleContainer, example, REPO, SAMPLE_FORMS } from '../support/test-setup';
import { tempDir } from '../support/temp-dir';
import { withUploads } from '../support/with-uploads';

/**
 * The PDF receipt over the JSON API: every valid sample submitted, its receipt downloaded with
 * the status token and read back with poppler's pdftotext and qpdf.
 */
describe('receipt PDF over the API', () => {
  const dir = tempDir();
  let container: Container;

  beforeAll(async () => {
    // Deliveries are not under test here: the worker is never started.
    container = await sampleContainer(dir.path);
  });
  afterAll(async () => {
    await container.close(1000);
    dir.remove();
  });

  /** Submits through the API, each file the answers name uploaded first (withUploads); `sent` is what was submitted. */
  const submit = async (formId: string, answers: unknown, language?: string) => {
    const data = await withUploads(container.app, formId, answers);
    const req = request(container.app).post(`/api/forms/${formId}/submissions`).set('content-type', 'application/json');
    if (language) req.set('accept-language', language);
    const res = await req.send(JSON.stringify({ data }));
    expect(res.status).toBe(201);
    return { ...(res.body as { id: string; statusUrl: string; receiptUrl: string }), sent: data };
  };

  /** What the check page showed for these answers and uploaded files: every non-empty value (a file's line each), in German. */
  async function checkPageValues(formId: string, data: unknown, files: readonly AttachmentRecord[]): Promise<string[]> {
    const model = container.forms.get(formId)!;
    const strings = (await loadPageRenderer(path.join(REPO, 'templates'))).strings('de');
    const municipalities = createMunicipalitySearch(container.routing.tenants());
    // A file question reads as its files' names and sizes, as the check page lists the draft's uploads.
    const facts = { byId: new Map(files.map((f) => [f.id, { fileName: f.fileName, size: f.size }])), maxFileBytes: Number.MAX_SAFE_INTEGER };
    return model.steps.filter((s) => stepApplies(s, data))
      .flatMap((s) => summaryRows(model, s, data, 'de', strings, municipalities, () => '', facts))
      // A file question's files one by one: in the PDF's text its label's second line may come between them.
      .flatMap((r) => r.lines ?? [r.value]).filter((v) => v !== '');
  }

  /** The attachment ids the answers name (UUIDs; the examples have no others). */
  const attachmentIdsIn = (data: unknown): string[] =>
    JSON.stringify(data).match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [];

  const validExamples = readdirSync(SAMPLE_FORMS).flatMap((form) =>
    readdirSync(path.join(SAMPLE_FORMS, form, 'examples')).filter((f) => f.startsWith('valid-')).map((f) => [form, f.replace('.json', '')] as const));

  test.each(validExamples)('%s %s: the receipt shows every answer, carries the XML sent and passes qpdf and PDF/A validation', async (formId, name) => {
    const accepted = await submit(formId, example(formId, name));
    expect(accepted.receiptUrl).toBe(`/api/submissions/${accepted.id}/receipt.pdf?token=${new URL(accepted.statusUrl, 'http://x').searchParams.get('token')!}`);

    const res = await getBinary(container.app, accepted.receiptUrl);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="Eingangsbestaetigung-${accepted.id}.pdf"`);
    expect(res.headers['cache-control']).toBe('no-store');
    const pdf = res.body as Buffer;
    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');

    const text = squash(pdfText(pdf));
    expect(text).toContain('Eingangsbestätigung');
    expect(text).toContain(`Vorgangsnummer ${accepted.id}`);
    expect(text).toMatch(/Eingegangen am \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} Uhr/);
    const files = await container.store.attachments.ofSubmission(accepted.id);
    expect(files.map((f) => f.id)).toEqual(attachmentIdsIn(accepted.sent));
    const values = await checkPageValues(formId, accepted.sent, files);
    expect(values.length).toBeGreaterThan(8);
    for (const value of values) expect({ value, found: text.includes(squash(value)) }).toEqual({ value, found: true });
    // Each file sent with it is listed after the answers, in their order, with name, size and SHA-512
    // (four lines of 32 hex digits: squashed, the hash with three spaces); without files, no such section.
    const section = text.indexOf('Mitgesendete Dateien');
    expect(section >= 0).toBe(files.length > 0);
    let at = section;
    for (const file of files) {
      expect([file.fileName, file.size]).toEqual([expect.stringMatching(/^nachweis-[12]\.pdf$/), 2048]);
      const listed = text.indexOf(`${file.fileName} Größe 2 KB SHA-512 ${file.sha512.match(/.{32}/g)!.join(' ')}`, at);
      expect({ file: file.fileName, listed: listed > at }).toEqual({ file: file.fileName, listed: true });
      at = listed;
    }
    expect(text).toContain(`Seite 1 von ${pageCount(pdf)}`);

    expect(qpdfCheck(pdf)).toMatch(/No syntax or stream encoding errors found/);
    const jobs = await container.store.deliveries.jobsOf(accepted.id);
    const sent = jobs.find((j) => j.channel === 'http')!.body;
    expect(attachmentNames(pdf)).toEqual([`${accepted.id}.xml`]);
    expect(attachment(pdf, `${accepted.id}.xml`).equals(Buffer.from(sent, 'utf8'))).toBe(true);
    expect(pdfA3bProblems(pdf)).toEqual([]);
    expect(pdfA3bPreflightProblems(pdf)).toEqual([]);

    const again = await getBinary(container.app, accepted.receiptUrl);
    expect((again.body as Buffer).equals(pdf)).toBe(true);
  });

  test('names from every script and the euro sign come out as written', async () => {
    const data = example('hundesteuer-anmeldung', 'valid-1') as { halter: Record<string, unknown>; hunde: Array<Record<string, unknown>> } & Record<string, unknown>;
    data.halter.vorname = 'Nguyễn Thị Minh';
    data.halter.nachname = 'Ørsted';
    data.kontoinhaber = 'Łukasz Żółć';
    data.hunde = [
      { ...data.hunde[0], name: 'Ελένη', rasse: 'Mischling (Kaufpreis 850 €)' },
      { ...data.hunde[1], name: 'Дмитрий' },
      { ...data.hunde[1], name: 'Çağrı Şahin' },
    ];
    const accepted = await submit('hundesteuer-anmeldung', data);
    const text = squash(pdfText((await getBinary(container.app, accepted.receiptUrl)).body as Buffer));
    for (const name of [...NAMES, 'Mischling (Kaufpreis 850 €)']) expect(text).toContain(name);
  });

  test('a wrong or missing token, or an unknown reference, is a 404 problem', async () => {
    const accepted = await submit('anwohnerparkausweis', example('anwohnerparkausweis', 'valid-1'));
    const wrong = await request(container.app).get(`/api/submissions/${accepted.id}/receipt.pdf?token=${'A'.repeat(43)}`);
    expect(wrong.status).toBe(404);
    expect(wrong.type).toBe('application/problem+json');
    expect(wrong.body.code).toBe('SUBMISSION_NOT_FOUND');
    expect((await request(container.app).get(`/api/submissions/${accepted.id}/receipt.pdf`)).status).toBe(404);
    const token = new URL(accepted.receiptUrl, 'http://x').searchParams.get('token')!;
    expect((await request(container.app).get(`/api/submissions/ABCD-EFGH-J/receipt.pdf?token=${token}`)).status).toBe(404);
  });

  test('a submission made in English gets an English receipt', async () => {
    const accepted = await submit('anwohnerparkausweis', example('anwohnerparkausweis', 'valid-1'), 'en-GB,en;q=0.9');
    // The receipt follows the language of the submission, not of the download.
    const res = await getBinary(container.app, accepted.receiptUrl, { 'accept-language': 'de' });
    const text = squash(pdfText(res.body as Buffer));
    expect(text).toContain('Confirmation of receipt');
    expect(text).toContain(`Reference number ${accepted.id}`);
    expect(text).toMatch(/Page 1 of \d/);
    expect(text).not.toContain('Eingangsbestätigung');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="Eingangsbestaetigung-${accepted.id}.pdf"`);
  });

  test('the confirmation page links to the receipt', async () => {
    const accepted = await submit('anwohnerparkausweis', example('anwohnerparkausweis', 'valid-1'));
    const token = new URL(accepted.receiptUrl, 'http://x').searchParams.get('token')!;
    const page = await request(container.app).get(`/forms/anwohnerparkausweis/confirmation?ref=${accepted.id}&token=${token}`);
    expect(page.status).toBe(200);
    const href = /<a class="efa-link" href="([^"]+)" download>Eingangsbestätigung herunterladen \(PDF\)<\/a>/.exec(page.text)?.[1];
    expect(href?.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=')).toBe(accepted.receiptUrl);
    const res = await getBinary(container.app, accepted.receiptUrl);
    expect(res.status).toBe(200);
  });
});
