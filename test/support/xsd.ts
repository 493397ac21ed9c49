import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface XsdCheck {
  /** xmllint's exit code: 0 valid, 3 invalid against the schema, 5 the schema did not compile. */
  readonly status: number | null;
  readonly stderr: string;
}

/**
 * Validates a document with libxml2's xmllint (`--schema`), the tool an authority is likely to
 * use. The XSD is written to a temporary file, as xmllint reads schemas only from files.
 */
export function validateAgainstXsd(xsd: string, xml: string): XsdCheck {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'efa-xsd-'));
  try {
    const file = path.join(dir, 'schema.xsd');
    writeFileSync(file, xsd);
    const run = spawnSync('xmllint', ['--noout', '--nonet', '--schema', file, '-'], { input: xml, encoding: 'utf8' });
    if (run.error) throw new Error(`xmllint is not available (apt-get install libxml2-utils): ${run.error.message}`);
    return { status: run.status, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
