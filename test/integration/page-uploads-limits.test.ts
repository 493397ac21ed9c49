import { randomBytes } from 'node:crypto';
import type { Container } from '../../src/container';
import { fieldId } from '../../src/forms/field-view';
import { ATTACHMENT_REFUSAL_TEXTS } from '../../src/i18n/attachment-texts';
import { startClamd, type OwnClamd } from '../support/clamd';
import { atFileStep, fieldError, FILE_FORM, FILE_POINTER, FILE_STEP_URL, fileFormContainer, listedFiles, storedFiles, summaryErrors } from '../support/file-pages';
import { csrfOf, encodeForm } from '../support/page-form';
import { tempDir } from '../support/temp-dir';

const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), randomBytes(size - 9)]);
const FIELD = fieldId(FILE_POINTER);
type Agent = Awaited<ReturnType<typeof atFileStep>>['agent'];

function upload(agent: Agent, csrf: string, bytes: Buffer, name: string, action = 'upload') {
  return agent.post(FILE_STEP_URL).field('_csrf', csrf).field('/name', 'Anna Muster').attach(FILE_POINTER, bytes, { filename: name, contentType: 'application/pdf' }).field('_action', action);
}

/**
 * Issue 15, point 2: what the scan and the installation's limits refuse, as the citizen reads it
 * on the file step: malware found by a real clamd, clamd down (try again later: never accepted
 * unscanned while scanning is required), the draft's files full, the submission's too large.
 */
describe('pages: uploads refused by the virus scan and the installation\u2019s limits', () => {
  const infected = pdf(30_000);
  let clamd: OwnClamd;
  const dir = tempDir();
  let container: Container;

  beforeAll(async () => {
    clamd = await startClamd({ malware: [{ name: 'Efa.Test.Malware', bytes: infected }] });
    // ATTACHMENT_SCAN is auto: with CLAMD_URL set, every file must be scanned clean.
    container = await fileFormContainer(dir.path, {
      CLAMD_URL: clamd.url, ATTACHMENT_MAX_DRAFT_BYTES: '150000', ATTACHMENT_MAX_SUBMISSION_BYTES: '120000',
    });
  }, 90_000);
  afterAll(async () => {
    await container?.close(1000);
    await clamd?.stop();
    dir.remove();
  });

  test('a clean file is taken; the infected one is refused as malware and removed', async () => {
    const { agent, csrf } = await atFileStep(container.app);
    expect((await upload(agent, csrf, pdf(20_000), 'sauber.pdf')).status).toBe(303);
    const before = storedFiles(dir.path);
    const res = await upload(agent, csrf, infected, 'rechnung.pdf');
    expect(res.status).toBe(400);
    const message = `Nachweis: ${ATTACHMENT_REFUSAL_TEXTS.malware.de}`;
    expect(summaryErrors(res.text)).toEqual([message]);
    expect(fieldError(res.text, FIELD)).toBe(message);
    expect(listedFiles(res.text).map((f) => f.name)).toEqual(['sauber.pdf']);
    expect(storedFiles(dir.path)).toEqual(before);
  });

  test('the draft\u2019s files full: refused, the files there stay', async () => {
    const { agent, csrf } = await atFileStep(container.app);
    expect((await upload(agent, csrf, pdf(90_000), 'eins.pdf')).status).toBe(303);
    // 90,000 + 70,000 bytes is past the draft's 150,000 (each within the question's 100 KiB).
    const res = await upload(agent, csrf, pdf(70_000), 'zwei.pdf', 'continue');
    expect(res.status).toBe(400);
    expect(summaryErrors(res.text)).toEqual([`Nachweis: ${ATTACHMENT_REFUSAL_TEXTS['draft full'].de}`]);
    expect(listedFiles(res.text).map((f) => f.name)).toEqual(['eins.pdf']);
  });

  test('files too large together for one submission: sending shows their step with the error', async () => {
    const { agent, csrf } = await atFileStep(container.app);
    expect((await upload(agent, csrf, pdf(70_000), 'eins.pdf')).status).toBe(303);
    expect((await upload(agent, csrf, pdf(60_000), 'zwei.pdf', 'continue')).headers.location).toBe(`/forms/${FILE_FORM}/check`);
    const check = await agent.get(`/forms/${FILE_FORM}/check`);
    const res = await agent.post(`/forms/${FILE_FORM}/check`).type('form').send(encodeForm([['_csrf', csrfOf(check.text)], ['_action', 'submit']]));
    expect(res.status).toBe(400);
    expect(summaryErrors(res.text)).toEqual([ATTACHMENT_REFUSAL_TEXTS['submission too large'].de]);
    expect(fieldError(res.text, FIELD)).toBe(ATTACHMENT_REFUSAL_TEXTS['submission too large'].de);
    expect(res.text).toContain('enctype="multipart/form-data"');
  });

  test('clamd down: "try again later", nothing kept (never taken unscanned while scanning is required)', async () => {
    const { agent, csrf } = await atFileStep(container.app);
    const before = storedFiles(dir.path);
    await clamd.stop();
    const file = pdf(10_000);
    const res = await upload(agent, csrf, file, 'spaeter.pdf');
    expect(res.status).toBe(400);
    const message = `Nachweis: ${ATTACHMENT_REFUSAL_TEXTS['scan unavailable'].de}`;
    expect(summaryErrors(res.text)).toEqual([message]);
    expect(fieldError(res.text, FIELD)).toBe(message);
    expect(storedFiles(dir.path)).toEqual(before);
  });
});
