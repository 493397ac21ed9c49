import { cpSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { REQUEST_TIMEOUT_TEXTS } from '../../src/i18n/timeout-texts';
import { ATTACHMENT_FORMS, ERFURT, FILE_FORM, FILE_POINTER, FILE_STEP_URL, listedFiles } from '../support/file-pages';
import { csrfOf, encodeForm } from '../support/page-form';
import { killSpawnedProcesses, startServerProcess, type SpawnedProcess } from '../support/spawn-server';
import { SAMPLE_FORMS, writeSampleTenant } from '../support/test-setup';
import { tempDir } from '../support/temp-dir';

/** What came back on a raw connection until the server closed it. */
interface RawAnswer {
  readonly text: string;
  readonly bytes: Buffer;
  /** The server ended the connection (FIN or reset), not the test. */
  readonly closedByServer: boolean;
}

/**
 * Sends `first` over a raw TCP connection and then nothing more, as a line that stalls does,
 * and collects everything the server writes until it closes the connection (at most 15 s).
 */
function stall(url: string, first: string | Buffer): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    let closedByServer = false;
    const giveUp = setTimeout(() => socket.destroy(), 15_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => (closedByServer = true));
    socket.on('error', () => (closedByServer = true));
    socket.on('close', () => {
      clearTimeout(giveUp);
      const bytes = Buffer.concat(chunks);
      resolve({ text: bytes.toString('utf8'), bytes, closedByServer });
    });
    socket.write(first);
  });
}

/** Splits one HTTP/1.1 answer into status line, headers (lower-case names) and body. */
function parseAnswer(answer: RawAnswer): { status: string; headers: Record<string, string>; body: Buffer } {
  const end = answer.bytes.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`not an HTTP answer: ${JSON.stringify(answer.text)}`);
  const [status = '', ...lines] = answer.bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
  }));
  return { status, headers, body: answer.bytes.subarray(end + 4) };
}

/** A citizen's browser: cookies kept between requests, redirects not followed. */
function browser(base: string) {
  const cookies = new Map<string, string>();
  const cookieHeader = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const send = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(new URL(url, base), { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string> | undefined), cookie: cookieHeader() } });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  };
  return { send, cookieHeader };
}

/** The request line and headers of a multipart post of the file step; `body` is the start of its body. */
function multipartHead(cookie: string, contentLength: number, boundary: string): string {
  return `POST ${FILE_STEP_URL} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\n`
    + `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${String(contentLength)}\r\n\r\n`;
}

/**
 * Issue 15: a file over a line too slow for HTTP_REQUEST_TIMEOUT_MS. Node's own 408 has no body,
 * so a browser without JavaScript showed an empty error screen; the real server process answers
 * with a short page in German and English and closes the connection. The other client errors
 * keep Node's answers, and an answer already under way is never followed by a second one.
 */
describe('the server process: a request that runs out of time', () => {
  const dir = tempDir();
  let server: SpawnedProcess & { readonly url: string };

  beforeAll(async () => {
    const forms = path.join(dir.path, 'forms');
    const tenants = path.join(dir.path, 'tenants');
    cpSync(SAMPLE_FORMS, forms, { recursive: true });
    cpSync(ATTACHMENT_FORMS, forms, { recursive: true });
    mkdirSync(tenants, { recursive: true });
    server = await startServerProcess({
      ...writeSampleTenant(tenants, 'http://127.0.0.1:9', [FILE_FORM]),
      FORMS_DIR: forms, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'), DELIVERY_WORKER: 'off',
      // The smallest the settings allow, so that the test waits about a second, not three minutes.
      HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '1000',
    });
  });
  afterAll(async () => {
    await killSpawnedProcesses();
    dir.remove();
  });

  /** The 408 page as a browser receives it, checked completely; returns the page's text. */
  function expectTimeoutPage(answer: RawAnswer): string {
    expect(answer.text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    const { headers, body } = parseAnswer(answer);
    expect(headers).toEqual({
      'connection': 'close',
      'content-type': 'text/html; charset=utf-8',
      'content-length': String(body.length),
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    expect(answer.closedByServer).toBe(true);
    const html = body.toString('utf8');
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="de">/);
    // German first, then English, marked as such for screen readers.
    const german = html.indexOf(`<h1>${REQUEST_TIMEOUT_TEXTS.title.de}</h1>`);
    const english = html.indexOf(`<section lang="en">\n<h2>${REQUEST_TIMEOUT_TEXTS.title.en}</h2>`);
    expect(german).toBeGreaterThan(0);
    expect(english).toBeGreaterThan(german);
    expect(html).toContain('<h1>Die Übertragung hat zu lange gedauert</h1>');
    expect(html).toContain('<h2>The transfer took too long</h2>');
    expect(html).toContain('mit einer kleineren Datei oder über eine schnellere Internetverbindung');
    expect(html).toContain('with a smaller file or over a faster internet connection');
    for (const text of Object.values(REQUEST_TIMEOUT_TEXTS)) {
      expect(html).toContain(text.de);
      expect(html).toContain(text.en);
    }
    // Nothing that could be loaded (the CSP allows nothing) and nothing of the request.
    expect(html).not.toMatch(/<(?:script|link|img|style)\b|https?:/);
    return html;
  }

  test('an upload that stalls mid-body at a citizen step: 408 with a page in German and English, then the connection is closed', async () => {
    const citizen = browser(server.url);
    const start = await citizen.send(`/forms/${FILE_FORM}/start`);
    const regionUrl = start.headers.get('location') ?? '';
    const region = await citizen.send(regionUrl);
    const toStep = await citizen.send(regionUrl, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeForm([['_csrf', csrfOf(await region.text())], ['/gemeinde', ERFURT], ['_action', 'continue']]),
    });
    expect([toStep.status, toStep.headers.get('location')]).toEqual([303, FILE_STEP_URL]);
    const csrf = csrfOf(await (await citizen.send(FILE_STEP_URL)).text());

    // The browser's order: the token, the answers, then the file, of which only the first 2 KB
    // of a 5 MB PDF arrive.
    const boundary = '----efaTimeoutBoundary';
    const sent = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`
        + `--${boundary}\r\nContent-Disposition: form-data; name="/name"\r\n\r\nAnna Muster\r\n`
        + `--${boundary}\r\nContent-Disposition: form-data; name="${FILE_POINTER}"; filename="Fahrzeugschein.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n`, 'utf8'),
      Buffer.alloc(2048, 0x41),
    ]);
    const started = performance.now();
    const answer = await stall(server.url, Buffer.concat([Buffer.from(multipartHead(citizen.cookieHeader(), 5 * 1024 * 1024, boundary), 'latin1'), sent]));
    const ms = performance.now() - started;

    expectTimeoutPage(answer);
    // Answered after the request timeout, not before it (the upload had not failed otherwise).
    expect(ms).toBeGreaterThanOrEqual(900);
    // The page's word: the file was not taken, and the draft is still there.
    const step = await citizen.send(FILE_STEP_URL);
    expect(step.status).toBe(200);
    expect(listedFiles(await step.text())).toEqual([]);

    // Logged as an event, with nothing of the request (URL, cookie, token, name) in it.
    const logged = await server.waitForLog('http.request_timeout');
    expect(Object.keys(logged).sort()).toEqual(['event', 'level', 'time']);
    expect(server.stdout()).not.toContain(csrf);
    expect(server.stdout()).not.toContain('Anna Muster');
  });

  test('headers that never end get the same page after HTTP_HEADERS_TIMEOUT_MS', async () => {
    expectTimeoutPage(await stall(server.url, `GET ${FILE_STEP_URL}?token=secret HTTP/1.1\r\nHost: 127.0.0.1\r\n`));
    expect(server.stdout()).not.toContain('token=secret');
  });

  test('a keep-alive connection: after a complete exchange, the next request running out of time still gets the page', async () => {
    const answer = await stall(server.url, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect(answer.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const second = answer.bytes.indexOf('HTTP/1.1 408 ');
    expect(second).toBeGreaterThan(0);
    expectTimeoutPage({ ...answer, bytes: answer.bytes.subarray(second), text: answer.bytes.subarray(second).toString('utf8') });
  });

  test('an answer already sent before the body ended is not followed by a 408: the connection is only closed', async () => {
    // The 404 goes out at once; the rest of the body is still awaited until the request timeout.
    const answer = await stall(server.url, 'POST /no-such-page HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\na=1');
    expect(answer.text).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(answer.text.match(/HTTP\/1\.1 \d{3} /g)).toHaveLength(1);
    expect(answer.text).not.toContain('408');
    expect(answer.closedByServer).toBe(true);
  });

  test('other client errors keep Node\'s answer: a malformed request gets a bare 400 and the connection is closed', async () => {
    const answer = await stall(server.url, 'NOT HTTP AT ALL\r\n\r\n');
    expect(answer.text).toBe('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    expect(answer.closedByServer).toBe(true);
  });

  test('headers larger than Node allows keep Node\'s 431', async () => {
    const answer = await stall(server.url, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer.text).toBe('HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n');
    expect(answer.closedByServer).toBe(true);
  });
});
