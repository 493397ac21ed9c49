import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './temp-dir';

/** PEM texts of a small test PKI; every certificate is valid for one day from now. */
export interface TestCertificates {
  /** Self-signed CA that issued the server and the right client certificate. */
  readonly ca: string;
  /** The receiver's certificate, for 127.0.0.1 and localhost. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** A client certificate the receiver accepts (issued by `ca`). */
  readonly clientCert: string;
  readonly clientKey: string;
  /** A client certificate from another, unrelated CA: the receiver must refuse it. */
  readonly otherCa: string;
  readonly otherClientCert: string;
  readonly otherClientKey: string;
}

// Found on PATH (/usr/bin/openssl on Debian), so the tests run wherever openssl is installed.
const OPENSSL = 'openssl';

// A config of our own, so the system's openssl.cnf (its defaults and extensions) does not
// change what the certificates contain.
const CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;

/**
 * Makes a fresh test PKI with the openssl command line tool (Debian package openssl) in a
 * temporary folder, which is removed again. P-256 keys keep it fast (well under a second).
 * Throws a clear message when openssl is not installed.
 */
export function createTestCertificates(): TestCertificates {
  const dir = tempDir('efa-certs-');
  try {
    const file = (name: string) => path.join(dir.path, name);
    writeFileSync(file('openssl.cnf'), CONFIG);
    const openssl = (...args: string[]) => runOpenssl(args, dir.path);
    const newKey = (name: string) => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(name));
    const selfSignedCa = (name: string, commonName: string) => {
      newKey(`${name}.key`);
      openssl('req', '-config', file('openssl.cnf'), '-new', '-x509', '-key', file(`${name}.key`), '-subj', `/CN=${commonName}`,
        '-days', '1', '-sha256', '-extensions', 'ca_ext', '-set_serial', serial(), '-out', file(`${name}.crt`));
    };
    const issue = (name: string, commonName: string, caName: string, extensions: string) => {
      newKey(`${name}.key`);
      openssl('req', '-config', file('openssl.cnf'), '-new', '-key', file(`${name}.key`), '-subj', `/CN=${commonName}`, '-out', file(`${name}.csr`));
      openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${caName}.crt`), '-CAkey', file(`${caName}.key`),
        '-set_serial', serial(), '-days', '1', '-sha256', '-extfile', file('openssl.cnf'), '-extensions', extensions, '-out', file(`${name}.crt`));
    };
    selfSignedCa('ca', 'efa-forms test CA');
    issue('server', 'localhost', 'ca', 'server_ext');
    issue('client', 'efa-forms delivery', 'ca', 'client_ext');
    selfSignedCa('other-ca', 'unrelated test CA');
    issue('other-client', 'efa-forms delivery', 'other-ca', 'client_ext');
    const read = (name: string) => readFileSync(file(name), 'utf8');
    return {
      ca: read('ca.crt'),
      serverCert: read('server.crt'),
      serverKey: read('server.key'),
      clientCert: read('client.crt'),
      clientKey: read('client.key'),
      otherCa: read('other-ca.crt'),
      otherClientCert: read('other-client.crt'),
      otherClientKey: read('other-client.key'),
    };
  } finally {
    dir.remove();
  }
}

function serial(): string {
  // Positive (top bit clear), unique enough that no two test certificates share one.
  return `0x${(randomBytes(8).readBigUInt64BE() >> 1n).toString(16)}`;
}

function runOpenssl(args: readonly string[], cwd: string): void {
  try {
    execFileSync(OPENSSL, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') {
      throw new Error(`openssl not found on PATH: the mutual TLS tests make their certificates with the openssl command line tool (Debian package openssl)`);
    }
    const stderr = ((err as { stderr?: Buffer | string }).stderr ?? '').toString().trim();
    throw new Error(`openssl ${args[0] ?? ''} failed: ${stderr}`, { cause: err });
  }
}
