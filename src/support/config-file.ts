import { readFile, stat } from 'node:fs/promises';
import { escapeToken } from './json-pointer';
import { problem } from '../startup-error';

/**
 * Reading the operators' JSON files (forms, tenants) at start, with sizes that keep every page
 * and receipt small: a 50 MB tenant name used to be accepted and made every page 157 MB.
 * Problems are `file: pointer: reason` lines, collected, never thrown one by one.
 */
export const CONFIG_FILE_LIMITS = Object.freeze({
  /** Bytes of one file. */
  fileBytes: 20 * 1024 * 1024,
  /** Characters of any text. */
  text: 5_000,
  /** Characters of a name, title or label (shown in headings, lists and the receipt). */
  name: 300,
  /** Entries of any list (a tenant of all German municipalities has about 11,000 regions). */
  list: 50_000,
});

const NAME_KEYS = new Set(['name', 'title', 'label', 'itemLabel', 'shortName', 'stepTitle']);

/** The reason in words for a file system error code, for the one line an operator reads. */
export function fileSystemReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT': return 'does not exist (ENOENT)';
    case 'EACCES':
    case 'EPERM': return `cannot be read: permission denied (${code})`;
    case 'ELOOP': return 'symlink loop (ELOOP): a symbolic link points back at itself';
    case 'ENOTDIR': return 'a part of the path is not a folder (ENOTDIR)';
    case 'EISDIR': return 'is a folder, not a file (EISDIR)';
    case 'EIO': return 'cannot be read: I/O error (EIO)';
    default: return `cannot be read (${code ?? String(err)})`;
  }
}

/** Texts, names and lists beyond CONFIG_FILE_LIMITS, as problem lines. */
export function findAbsurdSizes(file: string, raw: unknown): string[] {
  const problems: string[] = [];
  const visit = (value: unknown, pointer: string, key: string | undefined, nameContext: boolean, depth: number): void => {
    if (problems.length >= 20 || depth > 128) return;
    if (typeof value === 'string') {
      const limit = nameContext ? CONFIG_FILE_LIMITS.name : CONFIG_FILE_LIMITS.text;
      if (value.length > limit) problems.push(problem(file, pointer, `is ${value.length} characters long; at most ${limit} are allowed for ${nameContext ? 'a name, title or label' : 'a text'}`));
    } else if (Array.isArray(value)) {
      if (value.length > CONFIG_FILE_LIMITS.list) problems.push(problem(file, pointer, `has ${value.length} entries; at most ${CONFIG_FILE_LIMITS.list} are allowed`));
      else value.forEach((item, i) => visit(item, `${pointer}/${i}`, key, nameContext, depth + 1));
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length > CONFIG_FILE_LIMITS.list) problems.push(problem(file, pointer, `has ${entries.length} members; at most ${CONFIG_FILE_LIMITS.list} are allowed`));
      // A localized name ({"de": …, "en": …}) is still a name.
      for (const [k, item] of entries) visit(item, `${pointer}/${escapeToken(k)}`, k, NAME_KEYS.has(k) || (nameContext && /^[a-z]{2}$/.test(k)), depth + 1);
    }
  };
  visit(raw, '', undefined, false, 0);
  return problems;
}

/**
 * Reads and parses one JSON file; on failure returns the problem line instead. Refuses files
 * larger than CONFIG_FILE_LIMITS.fileBytes before reading them.
 */
export async function readConfigJson(file: string, missing = 'does not exist (ENOENT)'): Promise<{ readonly raw: unknown } | { readonly problem: string }> {
  try {
    const info = await stat(file);
    if (info.size > CONFIG_FILE_LIMITS.fileBytes) {
      return { problem: problem(file, '', `is ${info.size} bytes; at most ${CONFIG_FILE_LIMITS.fileBytes} are allowed`) };
    }
    const text = await readFile(file, 'utf8');
    try {
      return { raw: JSON.parse(text) as unknown };
    } catch (err) {
      return { problem: problem(file, '', `not valid JSON: ${(err as Error).message}`) };
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: problem(file, '', code === 'ENOENT' ? missing : fileSystemReason(err)) };
  }
}
