import { LANGUAGES, type Language } from '../i18n/language';
import { REQUEST_TIMEOUT_TEXTS } from '../i18n/timeout-texts';
import { escapeXml } from '../support/xml-writer';

/**
 * The whole HTTP/1.1 answer written onto the socket when a request ran out of time
 * (http-server.ts). It is written raw because Node has no response object for a request whose
 * headers never ended, and because no route has run: one fixed page, both languages, no
 * stylesheet, script or image (so `default-src 'none'` holds), nothing of the request in it.
 */
export function requestTimeoutResponse(): Buffer {
  const body = Buffer.from(requestTimeoutPage(), 'utf8');
  const head = [
    'HTTP/1.1 408 Request Timeout',
    'Connection: close',
    'Content-Type: text/html; charset=utf-8',
    `Content-Length: ${String(body.length)}`,
    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'",
    'X-Content-Type-Options: nosniff',
    'Referrer-Policy: no-referrer',
    'Cache-Control: no-store',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), body]);
}

function section(language: Language, first: boolean): string {
  const text = (key: keyof typeof REQUEST_TIMEOUT_TEXTS) => escapeXml(REQUEST_TIMEOUT_TEXTS[key][language]);
  const heading = first ? 'h1' : 'h2';
  // The first language is the page's own (<html lang>); each other part says which it is, for screen readers.
  const open = first ? '<section>' : `<section lang="${language}">`;
  return `${open}\n<${heading}>${text('title')}</${heading}>\n<p>${text('explanation')}</p>\n<p>${text('whatToDo')}</p>\n<p>${text('saved')}</p>\n</section>`;
}

/** German first (LANGUAGES' order; one h1), then English under an h2. */
export function requestTimeoutPage(): string {
  const title = LANGUAGES.map((language) => escapeXml(REQUEST_TIMEOUT_TEXTS.title[language])).join(' / ');
  const sections = LANGUAGES.map((language, i) => section(language, i === 0)).join('\n');
  return [
    '<!DOCTYPE html>',
    `<html lang="${LANGUAGES[0] ?? 'de'}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${title}</title>`,
    '</head>',
    '<body>',
    '<main>',
    sections,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
