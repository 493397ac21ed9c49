import { connect, type Socket } from 'node:net';

/**
 * What a virus scan says about one file. `unavailable` is never a pass: when scanning is
 * configured, a file that could not be scanned is refused with "try again later" (issue 15).
 */
export type ScanVerdict =
  | { readonly verdict: 'clean' }
  | { readonly verdict: 'infected'; readonly signature: string }
  | { readonly verdict: 'unavailable'; readonly reason: ScanUnavailableReason };

/**
 * Why a scan could not be made, as stable codes for logs and metrics (never the file's name or
 * content): the scanner could not be reached, did not answer in time, refused the file as larger
 * than its StreamMaxLength, or answered something this client does not understand.
 */
export type ScanUnavailableReason = 'unreachable' | 'timeout' | 'too large for the scanner' | 'scanner error';

/** Scans one file's bytes, streamed in chunks. */
export interface VirusScanner {
  scan(content: Buffer | AsyncIterable<Buffer>): Promise<ScanVerdict>;
}

export interface ClamdScannerOptions {
  /** `tcp://host:port` or `unix:///path/to/clamd.ctl` (CLAMD_URL). */
  readonly url: string;
  /** One scan, from connecting to the answer. */
  readonly timeoutMs: number;
  /**
   * clamd's StreamMaxLength (its default 25 MB): a longer file is answered "too large for the
   * scanner" here, before it is sent. clamd itself answers such a stream with an error line and
   * closes, but the reset that our further writes cause can discard that line: the reason would
   * then be a plain "scanner error" (still never a pass).
   */
  readonly maxBytes: number;
}

/** The parts of CLAMD_URL: a TCP address or a Unix socket. Throws on anything else. */
export function parseClamdUrl(url: string): { readonly host: string; readonly port: number } | { readonly path: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('CLAMD_URL must be tcp://host:port or unix:///path');
  }
  if (parsed.protocol === 'unix:' && parsed.pathname !== '') return { path: decodeURIComponent(parsed.pathname) };
  const port = Number(parsed.port);
  if (parsed.protocol === 'tcp:' && parsed.hostname !== '' && Number.isInteger(port) && port > 0 && port < 65536) {
    return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port };
  }
  throw new Error('CLAMD_URL must be tcp://host:port or unix:///path');
}

/** clamd sends at most a few dozen bytes: more means something else listens there. */
const MAX_REPLY_BYTES = 1024;

/**
 * clamd's INSTREAM command (clamd(8)): `zINSTREAM\0`, then the file as chunks of a 4-byte
 * big-endian length and that many bytes, then a zero length; the reply is one NUL-terminated
 * line, `stream: OK`, `stream: <signature> FOUND`, or `... ERROR` (for a stream past
 * StreamMaxLength: `INSTREAM size limit exceeded. ERROR`). One connection per scan: clamd ends it
 * after the reply. The file is written as it arrives, waiting for the socket to drain, so it is
 * never held whole here; clamd may answer (and close) before the end, which ends the write.
 */
export function clamdScanner(options: ClamdScannerOptions): VirusScanner {
  const address = parseClamdUrl(options.url);
  return {
    scan(content) {
      return new Promise<ScanVerdict>((resolve) => {
        let settled = false;
        const socket: Socket = 'path' in address ? connect(address.path) : connect(address.port, address.host);
        const finish = (verdict: ScanVerdict) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          socket.destroy();
          resolve(verdict);
        };
        const timer = setTimeout(() => finish({ verdict: 'unavailable', reason: 'timeout' }), options.timeoutMs);
        let reply = Buffer.alloc(0);
        socket.on('data', (chunk: Buffer) => {
          reply = Buffer.concat([reply, chunk]);
          const end = reply.indexOf(0);
          if (end >= 0) finish(verdictOf(reply.subarray(0, end).toString('utf8')));
          else if (reply.length > MAX_REPLY_BYTES) finish({ verdict: 'unavailable', reason: 'scanner error' });
        });
        // A reply without its NUL (clamd closing after a line) still counts; no reply at all does not.
        socket.on('end', () => finish(reply.length > 0 ? verdictOf(reply.toString('utf8')) : { verdict: 'unavailable', reason: 'scanner error' }));
        socket.on('error', (err: NodeJS.ErrnoException) => {
          if (reply.length > 0) finish(verdictOf(reply.toString('utf8').replace(/\0.*$/s, '')));
          else finish({ verdict: 'unavailable', reason: err.code === 'ECONNREFUSED' || err.code === 'ENOENT' || err.code === 'EHOSTUNREACH' ? 'unreachable' : 'scanner error' });
        });
        socket.once('connect', () => {
          send(socket, content, options.maxBytes, () => settled).then((tooLarge) => {
            if (tooLarge) finish({ verdict: 'unavailable', reason: 'too large for the scanner' });
          }, () => {
            // The file could not be read to its end, or the connection closed while writing (then
            // clamd's answer, if it came, has settled the scan already): no verdict without it.
            finish({ verdict: 'unavailable', reason: 'scanner error' });
          });
        });
      });
    },
  };
}

/** Writes the INSTREAM command and the file; true when the file is longer than `maxBytes` (not all sent). */
async function send(socket: Socket, content: Buffer | AsyncIterable<Buffer>, maxBytes: number, stopped: () => boolean): Promise<boolean> {
  const write = (bytes: Buffer) => new Promise<void>((resolve, reject) => {
    if (socket.write(bytes)) resolve();
    else {
      socket.once('drain', resolve);
      socket.once('close', () => reject(new Error('closed')));
    }
  });
  const chunk = async (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    await write(length);
    await write(bytes);
  };
  await write(Buffer.from('zINSTREAM\0', 'latin1'));
  const chunks: AsyncIterable<Buffer> | Buffer[] = Buffer.isBuffer(content) ? piecesOf(content) : content;
  let sent = 0;
  for await (const bytes of chunks) {
    if (stopped()) return false;
    sent += bytes.length;
    if (sent > maxBytes) return true;
    // An empty chunk would end the stream early: the zero length is the end marker.
    if (bytes.length > 0) await chunk(bytes);
  }
  await write(Buffer.alloc(4));
  return false;
}

/** A buffer in chunks of 64 KiB: one write of megabytes would sit in the socket's buffer whole. */
function piecesOf(content: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0; at < content.length; at += 65_536) pieces.push(content.subarray(at, at + 65_536));
  return pieces;
}

/** The verdict in clamd's reply line. */
function verdictOf(line: string): ScanVerdict {
  const text = line.trim();
  const found = /^stream: (.+) FOUND$/.exec(text);
  if (found) return { verdict: 'infected', signature: found[1]! };
  if (text === 'stream: OK') return { verdict: 'clean' };
  if (/size limit exceeded/i.test(text)) return { verdict: 'unavailable', reason: 'too large for the scanner' };
  return { verdict: 'unavailable', reason: 'scanner error' };
}
