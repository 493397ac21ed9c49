import { createHash, randomBytes } from 'node:crypto';
import type { Container } from '../../src/container';
import { atFileStep, FILE_FORM, FILE_POINTER, FILE_STEP_URL, fileFormContainer, unescapeHtml } from '../support/file-pages';
import { csrfOf, encodeForm } from '../support/page-form';
import { getBinary, pdfText, qpdfCheck, squash } from '../support/pdf';
import { tempDir } from '../support/temp-dir';

const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), randomBytes(size - 9)]);
const sha512 = (bytes: Buffer) => createHash('sha512').update(bytes).digest('hex');

/**
 * Issue 15, point 6 (the receipt's part) and point 2: the files uploaded on the pages are on the
 * confirmation page and on the PDF receipt, each with its size and SHA-512, in the order of the
 * answer; the answer of the file question reads as the files' names.
 */
describe('pages: the receipt lists the files sent', () => {
  const dir = tempDir();
  let container: Container;

  beforeAll(async () => {
    container = await fileFormContainer(dir.path);
  });
  afterAll(async () => {
    await container.close(1000);
    dir.remove();
  });

  test.each(['de', 'en'] as const)('%s: names, sizes and SHA-512 of both files', async (language) => {
    const { agent, csrf } = await atFileStep(container.app);
    // The language switch keeps the draft; the submission is made in this language.
    await agent.get(`${FILE_STEP_URL}?lang=${language}`);
    const files = [{ name: 'Vorderseite.pdf', bytes: pdf(40_000) }, { name: 'Rückseite ÄÖÜ.pdf', bytes: pdf(900) }];
    for (const file of files) {
      const res = await agent.post(FILE_STEP_URL).field('_csrf', csrf).field('/name', 'Anna Muster')
        .attach(FILE_POINTER, file.bytes, { filename: file.name, contentType: 'application/pdf' }).field('_action', 'upload');
      expect(res.status).toBe(303);
    }
    const onward = await agent.post(FILE_STEP_URL).field('_csrf', csrf).field('/name', 'Anna Muster').field('_action', 'continue');
    expect(onward.headers.location).toBe(`/forms/${FILE_FORM}/check`);
    const check = await agent.get(`/forms/${FILE_FORM}/check`);
    const submitted = await agent.post(`/forms/${FILE_FORM}/check`).type('form').send(encodeForm([['_csrf', csrfOf(check.text)], ['_action', 'submit']]));
    expect(submitted.status).toBe(303);
    const confirmation = await agent.get(submitted.headers.location as string);
    const receiptUrl = unescapeHtml(/href="(\/api\/submissions\/[^"]+\/receipt\.pdf\?[^"]+)"/.exec(confirmation.text)![1]!);
    const receipt = await getBinary(container.app, receiptUrl);
    expect(receipt.status).toBe(200);
    const body = receipt.body as Buffer;
    qpdfCheck(body);
    const text = squash(pdfText(body));
    const sizes = language === 'de' ? ['39,1 KB', '900 Bytes'] : ['39.1 KB', '900 bytes'];
    expect(text).toContain(language === 'de' ? 'Mitgesendete Dateien' : 'Files sent with the application');
    // The file question's answer names the files.
    expect(text).toContain(`Vorderseite.pdf (${sizes[0]!})`);
    let at = text.indexOf(language === 'de' ? 'Mitgesendete Dateien' : 'Files sent with the application');
    for (const [i, file] of files.entries()) {
      const hash = sha512(file.bytes);
      const name = text.indexOf(file.name, at);
      expect(name).toBeGreaterThan(at);
      const size = text.indexOf(`${language === 'de' ? 'Größe' : 'Size'} ${sizes[i]!}`, name);
      expect(size).toBeGreaterThan(name);
      // Four lines of 32 hex digits: squashed, they are the hash with three spaces.
      const hashAt = text.indexOf(`SHA-512 ${hash.match(/.{32}/g)!.join(' ')}`, size);
      expect(hashAt).toBeGreaterThan(size);
      at = hashAt;
    }
  });
});
