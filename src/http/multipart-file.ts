import type { Request } from 'express';
import busboy from 'busboy';

/** One file part as it arrives: its form field, the name the client gave it, and its bytes (streamed). */
export interface IncomingFile {
  readonly field: string;
  readonly fileName: string;
  readonly content: AsyncIterable<Buffer>;
}

export interface MultipartLimits {
  /** Text fields at most (the CSRF token, the ids kept, the buttons, …). */
  readonly maxFields: number;
  /** Bytes of one text field at most. */
  readonly maxFieldBytes: number;
  /** Bytes of the file at most, plus one: the store sees one byte too many and refuses "too large". */
  readonly maxFileBytes: number;
}

/** Why a multipart body could not be read: stable codes for the problem or the page. */
export type MultipartProblem = 'not multipart' | 'malformed' | 'too many fields' | 'field too long' | 'more than one file' | 'unexpected file field';

export type MultipartOutcome<T> =
  | { readonly ok: true; readonly fields: ReadonlyMap<string, readonly string[]>; readonly file?: T }
  /** `file`: what onFile answered before the problem showed (the caller removes what it stored). */
  | { readonly ok: false; readonly problem: MultipartProblem; readonly file?: T };

/**
 * Reads a multipart/form-data request with busboy: text fields into a map, at most one file,
 * handed to `onFile` as a stream as it arrives (never buffered whole; `fieldsSoFar` are the
 * fields sent before it, so a CSRF token placed first can be checked before anything is stored).
 * A file is cut off after `maxFileBytes + 1` bytes and busboy reads (and discards) the rest of the
 * body, so the client gets its answer instead of a reset connection. Resolves once the whole body
 * is read and `onFile` has finished; never rejects for what the client sent.
 */
export function readMultipart<T>(
  req: Request,
  limits: MultipartLimits,
  fileFields: ReadonlySet<string>,
  onFile: (file: IncomingFile, fieldsSoFar: ReadonlyMap<string, readonly string[]>) => Promise<T>,
): Promise<MultipartOutcome<T>> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fields: limits.maxFields, fieldSize: limits.maxFieldBytes, files: 1, fileSize: limits.maxFileBytes + 1, parts: limits.maxFields + 1 },
        defParamCharset: 'utf8',
      });
    } catch {
      resolve({ ok: false, problem: 'not multipart' });
      return;
    }
    const fields = new Map<string, string[]>();
    let problem: MultipartProblem | undefined;
    let fileWork: Promise<T> | undefined;
    let settled = false;
    const finish = (outcome: MultipartOutcome<T>) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      resolve(outcome);
    };

    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) problem ??= 'field too long';
      fields.set(name, [...(fields.get(name) ?? []), value]);
    });
    parser.on('file', (name, stream, info) => {
      // A body cut off in the file errors the file's stream too; the parser's error reports it.
      stream.on('error', () => undefined);
      if (!fileFields.has(name)) {
        problem ??= 'unexpected file field';
        stream.resume();
        return;
      }
      if (fileWork) {
        problem ??= 'more than one file';
        stream.resume();
        return;
      }
      // A browser sends an empty part (no name, no bytes) for a file input left empty.
      if (info.filename === undefined || info.filename === '') {
        stream.resume();
        return;
      }
      // Not destroyed when the reader stops early (at its limit): the rest is drained below.
      const content = stream.iterator({ destroyOnReturn: false });
      const started = onFile({ field: name, fileName: info.filename, content }, new Map(fields));
      // Whatever onFile did not read (it stopped at its limit or refused early) is discarded, so
      // busboy can read on to the end of the body.
      fileWork = started.finally(() => stream.resume());
    });
    parser.on('filesLimit', () => (problem ??= 'more than one file'));
    parser.on('fieldsLimit', () => (problem ??= 'too many fields'));
    parser.on('partsLimit', () => (problem ??= 'too many fields'));
    let broken = false;
    const done = () => {
      (fileWork ?? Promise.resolve(undefined)).then((file) => {
        const stored = file !== undefined ? { file } : {};
        if (broken) finish({ ok: false, problem: 'malformed', ...stored });
        else if (problem) finish({ ok: false, problem, ...stored });
        else finish({ ok: true, fields, ...stored });
      }, (err: unknown) => {
        // The file's reader failed because the body broke off: the client's doing, not ours.
        if (broken) {
          finish({ ok: false, problem: 'malformed' });
          return;
        }
        if (settled) return;
        settled = true;
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    };
    // A body that ends in the middle of a part, or is not multipart at all.
    parser.on('error', () => {
      broken = true;
      done();
    });
    parser.on('close', done);
    req.on('aborted', () => {
      broken = true;
      done();
    });
    req.pipe(parser);
  });
}
