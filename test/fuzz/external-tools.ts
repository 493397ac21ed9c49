import { execFile, spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * qpdf and xmllint run as child processes, asynchronously: a synchronous spawn would stop the
 * event loop the fuzzer measures. A missing tool is a failure of the check, never a skip.
 */

/** The bytes of a file attached to a PDF (`qpdf --show-attachment`). */
export async function pdfAttachment(pdf: Buffer, name: string, scratchDir: string, tag: string): Promise<Buffer> {
  const file = path.join(scratchDir, `receipt-${tag}.pdf`);
  await writeFile(file, pdf);
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      execFile('qpdf', [`--show-attachment=${name}`, file], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 30_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`qpdf: ${error.message.split('\n')[0]} ${stderr.toString('utf8').slice(0, 200)}`));
        else resolve(stdout);
      });
    });
  } finally {
    await rm(file, { force: true });
  }
}

/** xmllint's complaint about a document, or undefined when it is well-formed. */
export function xmlProblem(text: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn('xmllint', ['--noout', '--nonet', '-'], { stdio: ['pipe', 'ignore', 'pipe'], timeout: 30_000 });
    const errors: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => errors.push(c));
    child.on('error', (err) => resolve(`xmllint is not available: ${err.message}`));
    child.on('close', (code) => resolve(code === 0 ? undefined : Buffer.concat(errors).toString('utf8').split('\n')[0]?.slice(0, 200) ?? `exit ${String(code)}`));
    child.stdin.on('error', () => undefined);
    child.stdin.end(text);
  });
}
