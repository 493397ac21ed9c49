import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { clamdScanner, parseClamdUrl } from '../../src/attachments/clamd-scanner';
import { startClamd, type OwnClamd } from '../support/clamd';

/**
 * The virus scanner against a real clamd (Debian's clamav-daemon, started by the test with a hash
 * signature of its own: no virus database can be downloaded here).
 */
const malware = Buffer.concat([Buffer.from('efa-forms test malware, not a virus: '), randomBytes(20_000)]);

async function* inPieces(bytes: Buffer, size: number): AsyncIterable<Buffer> {
  // Each piece after a turn of the event loop, as an upload's chunks arrive.
  for (let at = 0; at < bytes.length; at += size) yield await new Promise<Buffer>((resolve) => setImmediate(() => resolve(bytes.subarray(at, at + size))));
}

describe('clamd scanner (INSTREAM) against a real clamd', () => {
  let clamd: OwnClamd;
  beforeAll(async () => {
    clamd = await startClamd({ malware: [{ name: 'Efa.Test.Malware', bytes: malware }], streamMaxBytes: 1024 * 1024 });
  }, 90_000);
  afterAll(async () => {
    await clamd.stop();
  });

  test('a clean file is clean; the file with the signature is infected, whole or streamed in 1,000-byte pieces', async () => {
    const scanner = clamdScanner({ url: clamd.url, timeoutMs: 30_000, maxBytes: 1024 * 1024 });
    await expect(scanner.scan(randomBytes(300_000))).resolves.toEqual({ verdict: 'clean' });
    await expect(scanner.scan(Buffer.from('%PDF-1.7 Fahrzeugschein'))).resolves.toEqual({ verdict: 'clean' });
    await expect(scanner.scan(malware)).resolves.toEqual({ verdict: 'infected', signature: 'Efa.Test.Malware.UNOFFICIAL' });
    await expect(scanner.scan(inPieces(malware, 1000))).resolves.toEqual({ verdict: 'infected', signature: 'Efa.Test.Malware.UNOFFICIAL' });
    // One byte more is another file: not the signature's.
    await expect(scanner.scan(Buffer.concat([malware, Buffer.from('x')]))).resolves.toEqual({ verdict: 'clean' });
  });

  test('a file larger than the scanner takes is not passed: unavailable (too large for the scanner); also when clamd is the one to refuse it', async () => {
    const scanner = clamdScanner({ url: clamd.url, timeoutMs: 30_000, maxBytes: 1024 * 1024 });
    await expect(scanner.scan(inPieces(randomBytes(3 * 1024 * 1024), 64 * 1024))).resolves.toEqual({ verdict: 'unavailable', reason: 'too large for the scanner' });
    // A client set to more than clamd's StreamMaxLength (1 MB here): clamd ends the stream itself.
    // Its error line may be lost to the reset that follows, so only the verdict is certain.
    const unaware = clamdScanner({ url: clamd.url, timeoutMs: 30_000, maxBytes: 10 * 1024 * 1024 });
    await expect(unaware.scan(inPieces(randomBytes(3 * 1024 * 1024), 64 * 1024))).resolves.toMatchObject({ verdict: 'unavailable' });
  });

  test('scans at once: each gets its own verdict', async () => {
    const scanner = clamdScanner({ url: clamd.url, timeoutMs: 30_000, maxBytes: 1024 * 1024 });
    const verdicts = await Promise.all(Array.from({ length: 8 }, (_, i) => scanner.scan(i % 2 === 0 ? malware : randomBytes(50_000))));
    expect(verdicts.map((v) => v.verdict)).toEqual(['infected', 'clean', 'infected', 'clean', 'infected', 'clean', 'infected', 'clean']);
  });
});

describe('clamd scanner when the scanner cannot scan', () => {
  test('a clamd that is down: unavailable (unreachable), never clean', async () => {
    const clamd = await startClamd({ malware: [] });
    const url = clamd.url;
    await clamd.stop();
    await expect(clamdScanner({ url, timeoutMs: 5_000, maxBytes: 1024 * 1024 }).scan(malware)).resolves.toEqual({ verdict: 'unavailable', reason: 'unreachable' });
  }, 90_000);

  test('a server that takes the file and never answers: unavailable (timeout); one that answers nonsense: unavailable (scanner error)', async () => {
    const sockets: Socket[] = [];
    const listen = (onConnection: (socket: Socket) => void) => new Promise<Server>((resolve) => {
      const server = createServer((socket) => {
        sockets.push(socket);
        socket.on('error', () => undefined);
        onConnection(socket);
      });
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
    const silent = await listen((socket) => socket.resume());
    const chatty = await listen((socket) => {
      socket.resume();
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    const urlOf = (server: Server) => `tcp://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      await expect(clamdScanner({ url: urlOf(silent), timeoutMs: 300, maxBytes: 1024 * 1024 }).scan(malware)).resolves.toEqual({ verdict: 'unavailable', reason: 'timeout' });
      await expect(clamdScanner({ url: urlOf(chatty), timeoutMs: 5_000, maxBytes: 1024 * 1024 }).scan(malware)).resolves.toEqual({ verdict: 'unavailable', reason: 'scanner error' });
    } finally {
      sockets.forEach((s) => s.destroy());
      await Promise.all([silent, chatty].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    }
  });
});

test('CLAMD_URL: tcp://host:port and unix:///path; anything else is refused', () => {
  expect(parseClamdUrl('tcp://127.0.0.1:3310')).toEqual({ host: '127.0.0.1', port: 3310 });
  expect(parseClamdUrl('tcp://[::1]:3310')).toEqual({ host: '::1', port: 3310 });
  expect(parseClamdUrl('unix:///run/clamav/clamd.ctl')).toEqual({ path: '/run/clamav/clamd.ctl' });
  for (const bad of ['http://127.0.0.1:3310', 'tcp://127.0.0.1', 'tcp://:3310', 'unix://']) expect(() => parseClamdUrl(bad)).toThrow('CLAMD_URL must be');
});
