import { createHash } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import type { Container } from '../../src/container';
import { sha256Hex } from '../../src/support/sha256';
import { submit, waitUntil, withReceiver } from '../support/channel-harness';
import { getBinary, pdfText, squash } from '../support/pdf';
import { valueOf } from '../support/prometheus';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { example } from '../support/test-setup';

/**
 * Issue 14 point 4: each receipt is rendered once per submission, stored, and the same bytes
 * serve the applicant's e-mail, the authority's e-mail, the download and the authority's inbox,
 * also after a restart on the same DATA_DIR. Through the real container and worker, a real SMTP
 * server (smtp-server) and a real HTTP receiver; renders are counted by the process's own
 * metrics (efa_receipt_render_seconds_count), not by replacing the renderer.
 */
jest.setTimeout(60_000);

describe('receipts rendered once and stored', () => {
  const env = withReceiver();
  let smtp: TestSmtp | undefined;
  afterEach(async () => {
    await smtp?.close();
    smtp = undefined;
  });

  const WEIMAR_KEY = 'weimar-inbox-key-0123456789abcdef';
  const weimar = { authorization: `Bearer ${WEIMAR_KEY}` };
  const JENA_MAILBOX = 'buergerservice.jena@example.org';

  const renders = async (c: Container): Promise<number> => valueOf(await c.metrics.text(), 'efa_receipt_render_seconds_count');
  const download = async (c: Container, url: string): Promise<Buffer> => {
    const res = await getBinary(c.app, url);
    expect(res.status).toBe(200);
    return res.body as Buffer;
  };
  const inboxReceipt = async (c: Container, id: string): Promise<Buffer> => {
    const res = await getBinary(c.app, `/api/authority/inbox/${id}/receipt.pdf`, weimar);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    return res.body as Buffer;
  };
  /** The receipt of submission `id` a mail carries, beside which it carries no PDF but the application's `files` (the authority's e-mail attaches them). */
  const pdfOf = (mail: ParsedMail, id: string, files: readonly string[] = []): Buffer => {
    const pdfs = mail.attachments.filter((a) => a.contentType === 'application/pdf');
    expect(pdfs.map((a) => a.filename)).toEqual([`Eingangsbestaetigung-${id}.pdf`, ...files]);
    return pdfs[0]!.content;
  };
  const toMailbox = (mail: ParsedMail): string => (mail.to && !Array.isArray(mail.to) ? mail.to.text : '');

  test('the e-mails, the download and the inbox serve the same bytes, rendered once per submission, also after a restart', async () => {
    smtp = await startSmtp();
    const c = await env.harness.start(env.receiver.url, {
      'stadt-weimar': { delivery: { type: 'inbox', apiKeyHashEnv: 'EFA_INBOX_WEIMAR' } },
      'stadt-jena-buergeramt': { delivery: { type: 'email' } },
    }, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, EFA_INBOX_WEIMAR: sha256Hex(WEIMAR_KEY), RECEIPT_THREADS: '1' });
    // Nothing is rendered at acceptance: the 201 never waits for a PDF.
    const inbox = await submit(c, 'hundesteuer-anmeldung', example('hundesteuer-anmeldung', 'valid-1'));
    const mailed = await submit(c, 'anwohnerparkausweis', example('anwohnerparkausweis', 'valid-2'));
    const pushed = await submit(c, 'gewerbeanmeldung', example('gewerbeanmeldung', 'valid-1'));
    expect([inbox.authority.id, mailed.authority.id]).toEqual(['stadt-weimar', 'stadt-jena-buergeramt']);
    expect(await renders(c)).toBe(0);
    for (const s of [inbox, mailed, pushed]) expect(await c.store.receipts.findReceipt(s.id)).toBeUndefined();

    c.worker.start();
    // Each applicant's e-mail, Jena's e-mail (sent at the same moment as its applicant's), and the push.
    await smtp.waitFor(4);
    await waitUntil(() => env.receiver.requests.some((r) => r.path.endsWith(`/${pushed.authority.id}`)));
    const citizenMail = (id: string) => {
      const found = smtp!.messages.filter((m) => m.subject?.includes(id) && toMailbox(m) !== JENA_MAILBOX);
      expect(found).toHaveLength(1);
      return found[0]!;
    };
    const jenaMail = smtp.messages.filter((m) => toMailbox(m) === JENA_MAILBOX);
    expect(jenaMail).toHaveLength(1);

    const first = {
      inbox: { mail: pdfOf(citizenMail(inbox.id), inbox.id), download: await download(c, inbox.receiptUrl), inbox: await inboxReceipt(c, inbox.id) },
      mailed: {
        mail: pdfOf(citizenMail(mailed.id), mailed.id),
        // The parking permit's two vehicle registration files go to Jena with the receipt.
        authority: pdfOf(jenaMail[0]!, mailed.id, ['nachweis-1.pdf', 'nachweis-2.pdf']),
        download: await download(c, mailed.receiptUrl),
      },
      pushed: { mail: pdfOf(citizenMail(pushed.id), pushed.id), download: await download(c, pushed.receiptUrl) },
    };
    for (const [name, s] of [['inbox', inbox], ['mailed', mailed], ['pushed', pushed]] as const) {
      const stored = await c.store.receipts.findReceipt(s.id);
      expect(stored?.sha256).toBe(createHash('sha256').update(stored!.pdf).digest('hex'));
      for (const [where, pdf] of Object.entries(first[name])) {
        expect({ name, where, same: pdf.equals(stored!.pdf) }).toEqual({ name, where, same: true });
      }
      expect(squash(pdfText(stored!.pdf))).toContain(`Vorgangsnummer ${s.id}`);
    }
    // Three submissions, three renders, whatever asked for them and how often.
    expect(await renders(c)).toBe(3);
    await download(c, inbox.receiptUrl);
    await inboxReceipt(c, inbox.id);
    expect(await renders(c)).toBe(3);

    // A restart on the same DATA_DIR serves the stored bytes without rendering.
    await c.close(2000);
    const again = await env.harness.restart();
    expect(await renders(again)).toBe(0);
    expect((await download(again, inbox.receiptUrl)).equals(first.inbox.mail)).toBe(true);
    expect((await inboxReceipt(again, inbox.id)).equals(first.inbox.mail)).toBe(true);
    expect((await download(again, mailed.receiptUrl)).equals(first.mailed.mail)).toBe(true);
    expect((await download(again, pushed.receiptUrl)).equals(first.pushed.mail)).toBe(true);
    expect(await renders(again)).toBe(0);

    // Retention deletes the stored receipts with the data; nothing renders one again (410).
    await waitUntil(async () => (await again.store.submissions.find(pushed.id))?.status === 'delivered'
      && (await again.store.deliveries.jobsOf(pushed.id)).every((j) => j.state === 'delivered'));
    const purged = await again.store.submissions.purgeDue({ now: new Date(Date.now() + 1000), defaultDays: 0, daysByForm: new Map(), limit: 100 });
    expect(purged.purged).toBeGreaterThanOrEqual(1);
    expect(await again.store.receipts.findReceipt(pushed.id)).toBeUndefined();
    const gone = await getBinary(again.app, pushed.receiptUrl);
    expect([gone.status, (JSON.parse((gone.body as Buffer).toString('utf8')) as { code: string }).code]).toEqual([410, 'SUBMISSION_DATA_DELETED']);
    // The inbox submission is not acknowledged: not due, its receipt stays.
    expect((await again.store.receipts.findReceipt(inbox.id))?.pdf.equals(first.inbox.mail)).toBe(true);
    expect(await renders(again)).toBe(0);
  });
});
