import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SMTPServer } from 'smtp-server';

/**
 * The applicants' mail server for the throughput bench: a real SMTP server (smtp-server) in the
 * bench process, plain SMTP on 127.0.0.1 without TLS or authentication. It keeps no messages:
 * per recipient address (from the envelope) it notes when the first message arrived, and per
 * message only its size and whether it carries a PDF part, which it finds by scanning the data as
 * it streams past; that keeps its CPU time small next to the processes being measured.
 */
export interface SmtpSink {
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  readonly url: string;
  /** Every recipient that got a message, with the performance.now() of its first one. */
  readonly firstArrival: ReadonlyMap<string, number>;
  /** Messages accepted so far. */
  messages(): number;
  /** Messages to a recipient that had already got one (at-least-once resends). */
  repeats(): number;
  /** Messages without an `application/pdf` part (a confirmation without its receipt). */
  withoutPdf(): number;
  /** Bytes of message data received so far. */
  bytes(): number;
  close(): Promise<void>;
}

const PDF_PART = Buffer.from('application/pdf');

export async function startSmtpSink(): Promise<SmtpSink> {
  const firstArrival = new Map<string, number>();
  let messages = 0;
  let repeats = 0;
  let withoutPdf = 0;
  let bytes = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    disableReverseLookup: true,
    // Nothing should still be connected when the bench closes it; if something is, do not wait 30 s.
    closeTimeout: 1000,
    onData(stream, session, callback) {
      let pdf = false;
      // The tail of the previous chunk, so a marker split across two chunks is found too.
      let tail: Buffer = Buffer.alloc(0);
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (!pdf) {
          pdf = Buffer.concat([tail, chunk.subarray(0, PDF_PART.length)]).includes(PDF_PART) || chunk.includes(PDF_PART);
          tail = chunk.subarray(Math.max(0, chunk.length - PDF_PART.length + 1));
        }
      });
      stream.once('error', (err: Error) => callback(err));
      stream.once('end', () => {
        const at = performance.now();
        messages++;
        if (!pdf) withoutPdf++;
        for (const { address } of session.envelope.rcptTo) {
          if (firstArrival.has(address)) repeats++;
          else firstArrival.set(address, at);
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // After the start a broken client connection must not end the bench process.
  server.on('error', () => undefined);
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    firstArrival,
    messages: () => messages,
    repeats: () => repeats,
    withoutPdf: () => withoutPdf,
    bytes: () => bytes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
