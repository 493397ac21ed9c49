import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';

/** Sends one message; throws when the message was not accepted. */
export interface MailTransport {
  send(message: Mail.Options, fileName: string): Promise<void>;
  /**
   * Only where the transport keeps copies of what it sent (the .eml folder): deletes those
   * written at or before `cutoff` and answers how many. The retention clean-up calls it, because a
   * copy of an applicant's confirmation holds their answers as much as the stored submission.
   */
  deleteCopiesOlderThan?(cutoff: Date): Promise<number>;
  close(): void;
}

/**
 * Pooled SMTP connections (nodemailer), from SMTP_URL: messages reuse open connections. The URL
 * goes in the options object: createTransport(url, options) reads its second argument as the
 * messages' defaults, so `pool` there was ignored and every message opened (and greeted) a
 * connection of its own, about 100 ms each against a local server (issue 14).
 */
export function smtpTransport(url: string): MailTransport {
  // maxRequeues 0: a message whose connection closed (a refused login, a server going away) fails
  // its attempt at once, and the delivery queue retries it with its own backoff; the pool's own
  // requeueing would hold the attempt for many seconds, up to its timeout.
  const transport = nodemailer.createTransport({ url, pool: true, maxConnections: 2, maxRequeues: 0 } as never);
  return {
    async send(message) {
      await transport.sendMail(message);
    },
    close: () => transport.close(),
  };
}

/**
 * Without SMTP_URL: every message is written as an .eml file under DATA_DIR/mail, so that
 * `npm start` works offline and an operator can look at what would have been sent.
 *
 * A write that fails (ENOSPC, EROFS, EIO) throws, which sendAsAttempt reports as a retryable
 * failure: the job stays in the queue and is written again later, under a new name.
 */
export function fileTransport(folder: string): MailTransport {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(message, fileName) {
      const info = await transport.sendMail(message);
      await mkdir(folder, { recursive: true });
      // Written under a temporary name and renamed, so no reader ever sees half a message.
      const target = path.join(folder, fileName);
      const part = `${target}.part`;
      try {
        await writeFile(part, info.message as Buffer);
        await rename(part, target);
      } catch (err) {
        // A full disk leaves an empty or cut-off .part behind: remove it, so that nothing
        // half-written stays. The write's error names the cause and is the one reported, even
        // when the file system refuses the removal as well.
        await rm(part, { force: true }).catch(() => undefined);
        throw err;
      }
    },
    async deleteCopiesOlderThan(cutoff) {
      let names: string[];
      try {
        names = await readdir(folder);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0; // nothing written yet
        throw err;
      }
      let deleted = 0;
      for (const name of names) {
        if (!name.endsWith('.eml')) continue;
        const file = path.join(folder, name);
        // A file removed meanwhile (an operator, another process's clean-up) is not an error.
        const info = await stat(file).catch(() => undefined);
        if (!info?.isFile() || info.mtime > cutoff) continue; // due at cutoff, as submissions are
        await rm(file, { force: true });
        deleted++;
      }
      return deleted;
    },
    close: () => transport.close(),
  };
}

/**
 * Sends one message as a delivery attempt. The outcome names only the SMTP reply code or the
 * error class, never the message text: SMTP errors can quote the recipient's address. A refused
 * recipient (550, 551, 553) will not change by itself and is permanent when `refusedIsPermanent`;
 * everything else (server down, a wrong SMTP password) is retried.
 */
export async function sendAsAttempt(
  transport: MailTransport,
  message: Mail.Options,
  fileName: string,
  refusedIsPermanent: boolean,
): Promise<{ readonly ok: true; readonly status: number } | { readonly ok: false; readonly error: string; readonly permanent: boolean }> {
  try {
    await transport.send(message, fileName);
    return { ok: true, status: 250 };
  } catch (err) {
    const e = err as { code?: unknown; responseCode?: unknown };
    const code = typeof e.responseCode === 'number' ? `SMTP ${e.responseCode}` : typeof e.code === 'string' ? e.code : err instanceof Error ? err.name : 'Error';
    const refused = e.code === 'EENVELOPE' && typeof e.responseCode === 'number' && [550, 551, 553].includes(e.responseCode);
    return { ok: false, error: `e-mail not accepted: ${code}`, permanent: refusedIsPermanent && refused };
  }
}
