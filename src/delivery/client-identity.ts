import { readFileSync } from 'node:fs';

/**
 * What the HTTP channel presents to an authority that demands mutual TLS: our client
 * certificate and its private key (PEM), and optionally the CA that issued the authority's
 * server certificate, when that is not one of the public CAs Node trusts by default.
 */
export interface ClientIdentity {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly ca?: string | Buffer;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/**
 * Reads the PEM files of a client identity at start-up. A missing or unreadable file, or one
 * that holds the wrong kind of PEM block (a key where the certificate belongs, say), stops with
 * an error that names the file and its role. The message never quotes the file's content: the
 * key file is a secret.
 */
export function loadClientIdentity(files: { readonly cert: string; readonly key: string; readonly ca?: string }): ClientIdentity {
  const cert = readPem(files.cert, 'client certificate', PEM_CERTIFICATE, 'a PEM certificate');
  const key = readPem(files.key, 'client private key', PEM_PRIVATE_KEY, 'a PEM private key');
  if (files.ca === undefined) return { cert, key };
  const ca = readPem(files.ca, 'CA certificate', PEM_CERTIFICATE, 'a PEM certificate');
  return { cert, key, ca };
}

function readPem(file: string, role: string, expected: RegExp, expectedText: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new Error(`cannot read the ${role} file ${file} (${typeof code === 'string' ? code : 'read error'})`, { cause: err });
  }
  if (!expected.test(text)) throw new Error(`the ${role} file ${file} does not contain ${expectedText}`);
  return text;
}
