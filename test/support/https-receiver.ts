import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { signatureHeaders, verifyPayloadSignature } from '../../src/delivery/signature';
import type { ReceivedRequest } from './http-receiver';

/** A request as the mutual TLS receiver saw it, with the TLS facts the tests check. */
export interface ReceivedTlsRequest extends ReceivedRequest {
  readonly method: string;
  /** The body exactly as it arrived, to compare byte for byte. */
  readonly bodyBytes: Buffer;
  /** Common name of the client certificate the request came with. */
  readonly clientCommonName: string | undefined;
  /** Number (1, 2, …) of the TLS connection it came on: equal numbers mean a reused connection. */
  readonly connection: number;
}

/** An answer: a status, or a status with headers and a body (to prove bodies stay out of errors). */
export type TlsAnswer = number | { status: number; headers?: Record<string, string>; body?: string };

export interface TestHttpsReceiver {
  readonly url: string;
  readonly requests: ReceivedTlsRequest[];
  /** Error codes of TLS handshakes the server refused (no client certificate, unknown CA, …). */
  readonly refusedHandshakes: string[];
  /** TLS connections completed so far (a refused handshake does not count). */
  connections(): number;
  respond: (request: ReceivedTlsRequest, index: number) => TlsAnswer | Promise<TlsAnswer>;
  close(): Promise<void>;
  /** Resolves once `predicate` holds for the receiver (polls every 20 ms, up to timeoutMs). */
  waitFor(predicate: (receiver: TestHttpsReceiver) => boolean, timeoutMs?: number): Promise<void>;
}

/**
 * A real HTTPS server standing in for an authority that demands mutual TLS: it presents
 * `tls.cert` and accepts only clients whose certificate was issued by `tls.ca`. Like the plain
 * HTTP receiver, it checks the efa-signature with the secret of the authority named in the path
 * and records what arrived; `respond` decides the answer (default 204).
 */
export async function startHttpsReceiver(
  tls: { readonly key: string; readonly cert: string; readonly ca: string },
  secretOf: (authorityId: string) => string | undefined,
): Promise<TestHttpsReceiver> {
  const requests: ReceivedTlsRequest[] = [];
  const refusedHandshakes: string[] = [];
  const connectionNumbers = new WeakMap<TLSSocket, number>();
  let connectionCount = 0;

  const server: Server = createServer({ key: tls.key, cert: tls.cert, ca: [tls.ca], requestCert: true, rejectUnauthorized: true });
  server.on('secureConnection', (socket: TLSSocket) => connectionNumbers.set(socket, ++connectionCount));
  server.on('tlsClientError', (err: Error & { code?: string }) => refusedHandshakes.push(err.code ?? err.name));
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bodyBytes = Buffer.concat(chunks);
      const body = bodyBytes.toString('utf8');
      const socket = req.socket as TLSSocket;
      const secret = secretOf((req.url ?? '/').slice(1));
      const signatureValid =
        secret !== undefined &&
        verifyPayloadSignature(secret, signatureHeaders(req.headers), bodyBytes, Math.floor(Date.now() / 1000));
      const commonName: unknown = socket.getPeerCertificate().subject?.CN;
      const request: ReceivedTlsRequest = {
        method: req.method ?? '',
        path: req.url ?? '/',
        headers: req.headers,
        body,
        bodyBytes,
        raw: bodyBytes,
        signatureValid,
        clientCommonName: typeof commonName === 'string' ? commonName : undefined,
        connection: connectionNumbers.get(socket) ?? 0,
      };
      requests.push(request);
      void Promise.resolve(receiver.respond(request, requests.length - 1)).then((answer) => {
        const { status, headers = {}, body: answerBody = '' } = typeof answer === 'number' ? { status: answer } : answer;
        res.writeHead(status, headers).end(answerBody);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const receiver: TestHttpsReceiver = {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    refusedHandshakes,
    connections: () => connectionCount,
    respond: () => 204,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(receiver)) {
        if (Date.now() > deadline) throw new Error(`https receiver: condition not met within ${timeoutMs} ms (${requests.length} requests)`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
  return receiver;
}
