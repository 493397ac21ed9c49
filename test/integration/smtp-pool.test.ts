import { smtpTransport, type MailTransport } from '../../src/delivery/email/mail-transport';
import { startSmtp, type TestSmtp } from '../support/smtp';

/**
 * SMTP_URL's transport keeps its connections open for the next messages (issue 14): opening and
 * greeting a connection per message limited the applicant's e-mails to about ten per second and
 * connection. Against a real SMTP server (smtp-server).
 */
describe('SMTP transport', () => {
  let smtp: TestSmtp | undefined;
  let transport: MailTransport | undefined;
  afterEach(async () => {
    transport?.close();
    await smtp?.close();
    transport = undefined;
    smtp = undefined;
  });

  test('ten messages one after the other go over one connection, and every one arrives', async () => {
    smtp = await startSmtp();
    transport = smtpTransport(`smtp://127.0.0.1:${smtp.port}`);
    for (let i = 0; i < 10; i++) {
      await transport.send({ from: 'efa-forms <noreply@example.org>', to: `antrag-${i}@example.org`, subject: `Eingang ${i}`, text: 'Ihr Antrag ist eingegangen.' }, `m-${i}.eml`);
    }
    await smtp.waitFor(10);
    expect(smtp.messages.map((m) => m.subject).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `Eingang ${i}`).sort());
    expect(smtp.connections()).toBe(1);
  });

  test('messages sent at once share at most two connections', async () => {
    smtp = await startSmtp();
    transport = smtpTransport(`smtp://127.0.0.1:${smtp.port}`);
    await Promise.all(Array.from({ length: 12 }, (_, i) => transport!.send({ from: 'noreply@example.org', to: `a${i}@example.org`, subject: `S ${i}`, text: 'x' }, `m-${i}.eml`)));
    await smtp.waitFor(12);
    expect(smtp.connections()).toBeLessThanOrEqual(2);
  });
});
