import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../support/logger';
import { requestTimeoutResponse } from './request-timeout-page';

export interface HttpServerOptions {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly logger: Logger;
}

/** What the server does with a client error (Node's 'clientError'), and what it needs to know for it. */
export interface ClientErrorHandler {
  /** For the server's 'request' event: remembers each connection's latest response. */
  readonly track: (req: IncomingMessage, res: ServerResponse) => void;
  /** For the server's 'clientError' event. */
  readonly handle: (err: Error & { readonly code?: string }, socket: Duplex) => void;
}

/**
 * Node's own answers to the other client errors (lib/_http_server.js, Node 20), written as Node
 * writes them: a listener for 'clientError' replaces Node's default for every error, not just
 * the timeout.
 */
const NODE_ANSWERS: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n',
};
const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';

/**
 * Node 20 reports both of its timeouts with this code: headers not complete within
 * headersTimeout, and a request (body included) not complete within requestTimeout.
 */
const REQUEST_TIMEOUT = 'ERR_HTTP_REQUEST_TIMEOUT';

/**
 * Answers client errors as Node does, except a request that ran out of time: Node's bare 408
 * without a body leaves a browser (no JavaScript on the page) with an empty error screen, so
 * the 408 carries a short page saying what happened and what to do (request-timeout-page.ts).
 */
/** How long a client has to take the 408 (or 400) before its connection is destroyed. */
const ANSWER_GRACE_MS = 2000;

export function createClientErrorHandler(logger: Logger): ClientErrorHandler {
  const timeoutAnswer = requestTimeoutResponse();
  // The socket's latest response; a connection's responses come one after another (keep-alive).
  const responses = new WeakMap<Duplex, ServerResponse>();
  return {
    track(req, res) {
      responses.set(req.socket, res);
    },
    handle(err, socket) {
      const timedOut = err.code === REQUEST_TIMEOUT;
      // Only the event: the request's URL (a status token in its query), its headers and its
      // address stay out of the log.
      if (timedOut) logger.info('http.request_timeout');
      const latest = responses.get(socket);
      // A response already under way on this connection: an early answer to an upload whose rest
      // was still being read and dropped (http/multipart-file.ts), or one still being streamed.
      // A second status line would corrupt it (Node's default writes one after a finished
      // answer), so the connection is only closed. A finished answer to a complete request is
      // an earlier exchange of a keep-alive connection: the request now late gets its answer.
      const answered = latest !== undefined && latest.headersSent && !(latest.writableFinished && latest.req.complete);
      if (!socket.writable || answered) {
        socket.destroy();
        return;
      }
      // Closed only once the answer is handed to the kernel: destroying at once (as Node does)
      // would drop a write that did not complete synchronously. Nothing more is read meanwhile
      // (the rest of a slow upload reaches no handler), and a client that never takes the
      // answer (a closed TCP window) loses the connection after a short grace all the same.
      socket.pause();
      const grace = setTimeout(() => socket.destroy(), ANSWER_GRACE_MS);
      grace.unref();
      socket.end(timedOut ? timeoutAnswer : (NODE_ANSWERS[err.code ?? ''] ?? BAD_REQUEST), () => {
        clearTimeout(grace);
        socket.destroy();
      });
    },
  };
}

/**
 * The web server's listener (not listening yet): the app behind Node's HTTP server with the
 * HTTP_*_TIMEOUT_MS settings and the client-error answers above.
 */
export function createHttpServer(app: RequestListener, options: HttpServerOptions): Server {
  // Node's defaults let a slow client hold a socket for 300 s; these are settings. Node checks
  // the header and request timeouts every connectionsCheckingInterval (30 s by default).
  const server = createServer({
    headersTimeout: options.headersTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs),
  }, app);
  const clientErrors = createClientErrorHandler(options.logger);
  server.on('request', clientErrors.track);
  server.on('clientError', clientErrors.handle);
  return server;
}
