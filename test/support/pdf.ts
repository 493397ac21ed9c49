import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { tempDir } from './temp-dir';

/**
 * Looks at PDFs with real tools: poppler-utils (pdftotext, pdffonts, pdfinfo) and qpdf, both
 * Debian packages installed by .ci/run. A missing tool fails the test, it never skips it.
 */

function run(tool: string, args: readonly string[]): Buffer {
  const result = spawnSync(tool, args, { maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${tool} is not available (apt-get install poppler-utils qpdf): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} exited ${String(result.status)}: ${result.stderr.toString('utf8')}${result.stdout.toString('utf8')}`);
  return result.stdout;
}

/** Runs fn with the PDF written to a temporary file. */
export function withPdfFile<T>(pdf: Buffer, fn: (file: string) => T): T {
  const dir = tempDir('efa-pdf-');
  try {
    const file = path.join(dir.path, 'receipt.pdf');
    writeFileSync(file, pdf);
    return fn(file);
  } finally {
    dir.remove();
  }
}

/** GETs a binary response with its body as a Buffer. */
export async function getBinary(app: Express, url: string, headers: Record<string, string> = {}) {
  const req = request(app).get(url);
  for (const [name, value] of Object.entries(headers)) req.set(name, value);
  return req.buffer(true).parse((res, callback) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => callback(null, Buffer.concat(chunks)));
  });
}

/** `pdftotext -layout`, of the whole document or one page (1-based). */
export function pdfText(pdf: Buffer, page?: number): string {
  return withPdfFile(pdf, (file) => run('pdftotext', ['-layout', '-enc', 'UTF-8', ...(page ? ['-f', String(page), '-l', String(page)] : []), file, '-']).toString('utf8'));
}

/** White space runs as single spaces, so that text wrapped inside a column compares as one. */
export function squash(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

export function pageCount(pdf: Buffer): number {
  const info = withPdfFile(pdf, (file) => run('pdfinfo', [file]).toString('utf8'));
  return Number(/^Pages:\s+(\d+)$/m.exec(info)?.[1] ?? NaN);
}

/** `qpdf --check`: throws unless qpdf finds no syntax or stream errors. */
export function qpdfCheck(pdf: Buffer): string {
  return withPdfFile(pdf, (file) => run('qpdf', ['--check', file]).toString('utf8'));
}

/** The names of the attached files (`qpdf --list-attachments`). */
export function attachmentNames(pdf: Buffer): string[] {
  return withPdfFile(pdf, (file) => run('qpdf', ['--list-attachments', file]).toString('utf8'))
    .split('\n').map((line) => line.split(' -> ')[0]!.trim()).filter(Boolean);
}

/** An attached file's bytes (`qpdf --show-attachment`). */
export function attachment(pdf: Buffer, name: string): Buffer {
  return withPdfFile(pdf, (file) => run('qpdf', [`--show-attachment=${name}`, file]));
}

/** `pdffonts` rows: name, type and whether the font is embedded. */
export function pdfFonts(pdf: Buffer): Array<{ name: string; type: string; embedded: boolean }> {
  const lines = withPdfFile(pdf, (file) => run('pdffonts', [file]).toString('utf8')).split('\n').slice(2).filter(Boolean);
  return lines.map((line) => {
    const match = /^(\S+)\s+(.+?)\s+(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$/.exec(line);
    if (!match) throw new Error(`unexpected pdffonts line: ${line}`);
    return { name: match[1]!, type: match[2]!, embedded: match[4] === 'yes' };
  });
}

export type PdfValue = unknown;
export interface PdfObjects {
  /** Objects by "obj:N 0 R"; a stream is {stream: {dict, data (base64, decoded)}}. */
  readonly objects: Readonly<Record<string, { value?: PdfValue; stream?: { dict: Record<string, PdfValue>; data?: string } }>>;
  readonly trailer: Record<string, PdfValue>;
  readonly pdfVersion: string;
}

/** Every object of the file as qpdf reads it (`qpdf --json=2`, stream data decoded). */
export function pdfObjects(pdf: Buffer): PdfObjects {
  const json = withPdfFile(pdf, (file) => run('qpdf', ['--json=2', '--json-key=qpdf', '--json-stream-data=inline', '--decode-level=generalized', file]).toString('utf8'));
  const [header, objects] = (JSON.parse(json) as { qpdf: [{ pdfversion: string }, PdfObjects['objects']] }).qpdf;
  const trailer = (objects.trailer?.value ?? {}) as Record<string, PdfValue>;
  return { objects, trailer, pdfVersion: header.pdfversion };
}

/** Follows an indirect reference ("12 0 R") to the object's value or stream. */
export function resolve(pdf: PdfObjects, ref: PdfValue): { value?: PdfValue; stream?: { dict: Record<string, PdfValue>; data?: string } } {
  if (typeof ref !== 'string' || !/^\d+ \d+ R$/.test(ref)) return { value: ref };
  const found = pdf.objects[`obj:${ref}`];
  if (!found) throw new Error(`no object ${ref}`);
  return found;
}

/** A dictionary, direct or behind a reference (a stream's dictionary for a stream). */
export function dict(pdf: PdfObjects, ref: PdfValue): Record<string, PdfValue> {
  const found = resolve(pdf, ref);
  const value = found.stream ? found.stream.dict : found.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`not a dictionary: ${JSON.stringify(ref)}`);
  return value as Record<string, PdfValue>;
}

/** A stream's decoded data. */
export function streamData(pdf: PdfObjects, ref: PdfValue): Buffer {
  const data = resolve(pdf, ref).stream?.data;
  if (data === undefined) throw new Error(`not a stream with data: ${JSON.stringify(ref)}`);
  return Buffer.from(data, 'base64');
}
