import busboy from 'busboy';
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import type { FormBody } from '../forms/form-post';

/** One file part of a multipart post, handed on while it streams: never held whole. */
export interface FilePart {
  /** The field's name (on the pages: the file question's pointer). */
  readonly pointer: string;
  /** The name the browser sent (only shown to the citizen, never a path and never logged). */
  readonly fileName: string;
  readonly content: AsyncIterable<Buffer>;
  /** The fields read before this part (the CSRF token, the action, the answers above it). */
  readonly fieldsSoFar: FormBody;
}

export interface MultipartOptions {
  /**
   * Whether the fields so far allow taking files (the pages: the draft's CSRF token, which the
   * form sends first); asked before any file part is taken and once more at the end. Without it,
   * every post may.
   */
  readonly authorized?: (fieldsSoFar: FormBody) => boolean;
  /** The names of the file fields (the step's file questions' pointers; the API's `file`); a file under any other name is refused. */
  readonly fileFields: ReadonlySet<string>;
  /** The largest file any of them takes: the parser stops a file part past it on its own too. */
  readonly maxFileBytes: number;
  /** Every field together (as the urlencoded body limit). */
  readonly bodyLimitBytes: number;
  /** At most this many fields (as the urlencoded parameterLimit). */
  readonly maxFields: number;
  /**
   * Takes one file part: reads as much of `content` as it wants (the rest is discarded by the
   * reader), resolves when done. Not called for a file input left empty, nor once the action
   * read so far removes a file, nor before the CSRF token was checked.
   */
  readonly takeFile: (part: FilePart) => Promise<void>;
  /** Whether a file part should be taken, given the fields read before it (e.g. not for a remove button). */
  readonly wantsFile: (fieldsSoFar: FormBody) => boolean;
}

/**
 * What a multipart post came to: its fields (the files went to takeFile), or why it cannot
 * be used: not authorized (the pages: a missing or wrong CSRF token, 403), an unreadable or hostile body (400: no boundary,
 * truncated, malformed, a file where no file question is, two files for one question), or one
 * too large in its fields (413). `complete` is false when parsing stopped early (see
 * MIN_DRAIN_BYTES): the fields after that point were not read.
 */
export type MultipartOutcome =
  | { readonly outcome: 'read'; readonly body: FormBody; readonly complete: boolean }
  | { readonly outcome: 'csrf' }
  | { readonly outcome: 'bad'; readonly status: 400 | 413 };

/**
 * After a file is refused (too large, say), the rest of its part is read and dropped, so that
 * the browser, which sends the whole file before it looks at an answer, gets to show the step
 * with the error. Past this many bytes of the whole request (and twice what its files and fields
 * may have), parsing stops and the answer goes out at once; the rest is still read and dropped
 * until the request ends or the server's request timeout (HTTP_REQUEST_TIMEOUT_MS): closing a
 * socket with unread data would reset it, and the browser would show no answer at all.
 */
const MIN_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Reads a multipart/form-data post with busboy (a step of the pages, an upload of the API),
 * streaming each file part to takeFile as it arrives. Never throws for what the client sent;
 * rejects only when takeFile does (a store that cannot be written), after the request has been
 * detached.
 */
export function readMultipart(req: Request, options: MultipartOptions): Promise<MultipartOutcome> {
  const fields: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      // Browsers send file names as UTF-8.
      defParamCharset: 'utf8',
      limits: {
        fieldNameSize: 1000, fieldSize: options.bodyLimitBytes, fields: options.maxFields,
        fileSize: options.maxFileBytes + 1, files: options.fileFields.size, parts: options.maxFields + options.fileFields.size, headerPairs: 20,
      },
    });
  } catch {
    // Not multipart after all, or no boundary.
    return Promise.resolve({ outcome: 'bad', status: 400 });
  }
  const drainLimit = Math.max(MIN_DRAIN_BYTES, 2 * (options.maxFileBytes * options.fileFields.size + options.bodyLimitBytes));

  return new Promise<MultipartOutcome>((resolve, reject) => {
    let problem: { status: 400 | 413 } | 'csrf' | undefined;
    let settled = false;
    let stopped = false;
    let fieldBytes = 0;
    let received = 0;
    const seenFiles = new Set<string>();
    const taking: Array<Promise<void>> = [];
    let takeError: unknown;

    const csrfOk = () => options.authorized?.({ ...fields }) ?? true;
    const refuse = (why: { status: 400 | 413 } | 'csrf') => {
      // Once the answer is decided (parsing stopped), the parser's own end ("unexpected end") changes nothing.
      if (!settled) problem ??= why;
    };
    const finish = async (complete: boolean) => {
      if (settled) return;
      settled = true;
      req.off('data', count);
      // A file still being stored finishes (or fails) before the answer.
      await Promise.allSettled(taking);
      if (takeError !== undefined) {
        reject(takeError instanceof Error ? takeError : new Error('the upload failed'));
        return;
      }
      if (problem === 'csrf' || (problem === undefined && !csrfOk())) resolve({ outcome: 'csrf' });
      else if (problem !== undefined) resolve({ outcome: 'bad', status: problem.status });
      else resolve({ outcome: 'read', body: fields, complete });
    };
    /** Stops parsing: the answer goes out now; the rest of the request is read and dropped (not parsed, not stored). */
    const stop = (why: { status: 400 } | undefined) => {
      stopped = true;
      if (why) refuse(why);
      req.unpipe(parser);
      parser.destroy();
      req.resume();
      void finish(false);
    };
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > drainLimit && !settled) stop(undefined);
    };

    parser.on('field', (name, value, info) => {
      if (info.nameTruncated || info.valueTruncated) refuse({ status: 413 });
      fieldBytes += name.length + value.length;
      if (fieldBytes > options.bodyLimitBytes) refuse({ status: 413 });
      if (problem !== undefined) return;
      const before = fields[name];
      fields[name] = before === undefined ? value : Array.isArray(before) ? [...before, value] : [before, value];
    });

    parser.on('file', (name, stream: Readable, info) => {
      // A part cut off (the request truncated) errors its stream: the parser's own error says so.
      stream.on('error', () => undefined);
      // Whatever happens to this part, it is read to its end (or the parser stops): the parts after it must arrive.
      const discard = () => {
        stream.resume();
      };
      if (!options.fileFields.has(name) || seenFiles.has(name)) {
        // A file where the step asks for none, or a second file for one input: not a browser's post.
        refuse({ status: 400 });
        discard();
        return;
      }
      seenFiles.add(name);
      // A file input left empty is still sent, with no name and no bytes.
      if (!info.filename || problem !== undefined) {
        discard();
        return;
      }
      if (!csrfOk()) {
        refuse('csrf');
        discard();
        return;
      }
      if (!options.wantsFile(fields)) {
        discard();
        return;
      }
      // Read without destroying the part when the reader stops early (past the size limit, a type
      // not taken): a destroyed part would stall the parser; the rest is discarded instead.
      const source = stream.iterator({ destroyOnReturn: false }) as AsyncIterableIterator<Buffer>;
      // Whether reading the part itself failed (the request broke off): then the upload's failure
      // is the request's problem; any other failure of takeFile is the store's and is reported.
      let partBroken = false;
      const content: AsyncIterable<Buffer> = {
        [Symbol.asyncIterator]: () => ({
          next: () => source.next().catch((err: unknown) => {
            partBroken = true;
            throw err;
          }),
          return: (value?: unknown) => source.return ? source.return(value) : Promise.resolve({ done: true as const, value: undefined }),
        }),
      };
      const took = options.takeFile({ pointer: name, fileName: info.filename, content, fieldsSoFar: { ...fields } })
        .catch((err: unknown) => {
          if (!partBroken && !stopped) takeError = err;
        })
        .finally(discard);
      taking.push(took);
    });

    parser.on('filesLimit', () => refuse({ status: 400 }));
    parser.on('fieldsLimit', () => refuse({ status: 413 }));
    parser.on('partsLimit', () => refuse({ status: 413 }));
    parser.on('error', () => {
      // Truncated, malformed, a broken boundary: the rest of the request is read and dropped by the server.
      refuse({ status: 400 });
      req.unpipe(parser);
      req.resume();
      void finish(true);
    });
    parser.on('close', () => void finish(true));
    // The client went away: nothing to answer, but nothing may wait for the parser either.
    req.on('close', () => {
      if (!req.complete && !settled) stop({ status: 400 });
    });
    req.on('data', count);
    req.pipe(parser);
  });
}
