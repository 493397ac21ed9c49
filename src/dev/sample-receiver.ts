import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { signatureHeaders, verifyPayloadSignature } from '../delivery/signature';

/**
 * A small stand-in for an authority's endpoint, for trying efa-forms locally
 * (`npm run receiver`). It listens on 127.0.0.1:4000, takes POST /<authority-id>, checks the
 * signature with the secret in EFA_SECRET_<AUTHORITY_ID> (upper snake case), stores each payload
 * once per idempotency key under ./data/received and answers 204. Not used in production.
 */
const port = Number(process.env.RECEIVER_PORT ?? 4000);
const folder = path.resolve(process.env.RECEIVER_DIR ?? './data/received');
mkdirSync(folder, { recursive: true });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const authority = (req.url ?? '/').slice(1).split('?')[0] ?? '';
    const secret = process.env[`EFA_SECRET_${authority.toUpperCase().replace(/-/g, '_')}`];
    // The raw bytes: a push with files is a multipart body with binary parts (docs/delivery.md).
    const body = Buffer.concat(chunks);
    const key = String(req.headers['idempotency-key'] ?? '');
    const ok =
      req.method === 'POST' &&
      /^[0-9a-f-]{36}$/.test(key) &&
      secret !== undefined &&
      verifyPayloadSignature(
        secret,
        signatureHeaders(req.headers),
        body,
        Math.floor(Date.now() / 1000),
      );
    console.log(`${new Date().toISOString()} ${req.method ?? ''} /${authority} key=${key} bytes=${body.length} signature=${ok ? 'valid' : 'INVALID'}`);
    if (!ok) {
      res.writeHead(401).end();
      return;
    }
    const extension = String(req.headers['content-type'] ?? '').startsWith('multipart/') ? 'multipart' : 'xml';
    writeFileSync(path.join(folder, `${authority}-${key}.${extension}`), body);
    res.writeHead(204).end();
  });
});

server.listen(port, '127.0.0.1', () => console.log(`sample receiver on http://127.0.0.1:${port}, storing payloads in ${folder}`));
