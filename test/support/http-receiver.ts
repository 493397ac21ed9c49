import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signatureHeaders, verifyPayloadSignature } from '../../src/delivery/signature';

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The body's bytes as they arrived (a multipart push with files is not UTF-8 text). */
  readonly raw: Buffer;
  readonly signatureValid: boolean;
}

/**
 * A real HTTP server standing in for an authority's endpoint. It checks the efa-signature of
 * every request with the secret for the authority in the path and records what arrived.
 * `respond` decides the status of each request (default 204).
 */
type Answer = number | { status: number; headers?: Record<string, string> };

export interface TestReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  respond: (request: ReceivedRequest, index: number) => Answer | Promise<Answer>;
  close(): Promise<void>;
  /** Resolves once `predicate` holds for the recorded requests (polls every 20 ms, up to timeoutMs). */
  waitFor(predicate: (requests: readonly ReceivedRequest[]) => boolean, timeoutMs?: number): Promise<void>;
}

export async function startReceiver(secretOf: (authorityId: string) => string | undefined, port = 0): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  const receiver = {
    url: '',
    requests,
    respond: (() => 204) as TestReceiver['respond'],
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = raw.toString('utf8');
      const authorityId = (req.url ?? '/').slice(1);
      const secret = secretOf(authorityId);
      const signatureValid =
        secret !== undefined &&
        verifyPayloadSignature(
          secret,
          signatureHeaders(req.headers),
          raw,
          Math.floor(Date.now() / 1000),
        );
      const request = { path: req.url ?? '/', headers: req.headers, body, raw, signatureValid };
      requests.push(request);
      void Promise.resolve(receiver.respond(request, requests.length - 1)).then((answer) => {
        const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
        res.writeHead(status, headers).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(receiver, {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    async waitFor(predicate: (r: readonly ReceivedRequest[]) => boolean, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(requests)) {
        if (Date.now() > deadline) throw new Error(`receiver: condition not met within ${timeoutMs} ms (${requests.length} requests)`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  });
}
