import { open, stat } from 'node:fs/promises';
import { fileSystemReason } from '../support/config-file';
import type { InputFile } from './plan-import';

/**
 * Larger than any real input: the directory of all of Germany is about 3 MB. A file beyond it
 * is the wrong file, or a device that never ends (`/dev/zero`), not a directory.
 */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Bytes read at a time; also how soon a binary file is recognized by its first NUL byte. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Reads an input file of an import (the directory, a postal-code list) whole, or says in one
 * `file: reason` line why not. Pipes (`--directory <(unzip -p GV100AD.zip)`) are read like
 * files, so the size is checked while reading, not only by stat: a device such as /dev/zero
 * would otherwise be read until memory runs out. Both formats are text, and no text file holds
 * a NUL byte; a binary file given by mistake stops at its first one, before its bytes could
 * reach a problem line.
 */
export async function readInputFile(file: string): Promise<InputFile | { readonly problem: string }> {
  const refuse = (reason: string): { readonly problem: string } => ({ problem: `${file}: ${reason}` });
  let handle;
  try {
    const info = await stat(file);
    if (info.isDirectory()) return refuse('is a folder, not a file (EISDIR)');
    if (info.size > MAX_INPUT_BYTES) return refuse(tooLarge(`is ${info.size} bytes`));
    handle = await open(file, 'r');
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(CHUNK_BYTES);
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      const read = chunk.subarray(0, bytesRead);
      if (read.includes(0)) return refuse('is not a text file (it contains NUL bytes)');
      total += bytesRead;
      if (total > MAX_INPUT_BYTES) return refuse(tooLarge(`has more than ${MAX_INPUT_BYTES} bytes`));
      chunks.push(read);
    }
    return { file, bytes: Buffer.concat(chunks, total) };
  } catch (err) {
    return refuse(fileSystemReason(err));
  } finally {
    await handle?.close();
  }
}

function tooLarge(size: string): string {
  return `${size}; at most ${MAX_INPUT_BYTES} are read (the directory of all of Germany is about 3 MB): the wrong file?`;
}
