import { decodeText, splitLines } from './decode';
import { InputError, LineProblems, quote } from './input-error';

/**
 * A list of postal codes per municipality: CSV with a header row naming at least the columns
 * `ags` (8 digits) and `plz` (5 digits), in any order and among any others (the shared list has
 * `ags,plz,ort`). Separated by commas, or by semicolons as German spreadsheets write it; fields
 * are not quoted (neither column ever needs quotes). One row per pair: a municipality can have
 * several postal codes and a postal code can belong to several municipalities.
 */
export interface PostalCodeList {
  readonly file: string;
  /** Postal codes by AGS, each list unique and sorted. */
  readonly byAgs: ReadonlyMap<string, readonly string[]>;
  /** Data rows read. */
  readonly rows: number;
}

/** Reads a postal-code file's bytes (UTF-8 or ISO-8859-1, LF or CRLF). Pure: no I/O. */
export function readPostalCodes(bytes: Uint8Array, file: string): PostalCodeList {
  return parsePostalCodes(decodeText(bytes).text, file);
}

export function parsePostalCodes(text: string, file: string): PostalCodeList {
  const lines = splitLines(text);
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex < 0) throw new InputError([`${file}: is empty; expected a header row with the columns ags and plz`]);
  const header = lines[headerIndex] ?? '';
  const separator = header.includes(',') || !header.includes(';') ? ',' : ';';
  const columns = header.split(separator).map((name) => name.trim().replace(/^"(.*)"$/, '$1').toLowerCase());
  const agsColumn = columns.indexOf('ags');
  const plzColumn = columns.indexOf('plz');
  if (agsColumn < 0 || plzColumn < 0) {
    const missing = [agsColumn < 0 ? 'ags' : undefined, plzColumn < 0 ? 'plz' : undefined].filter((name) => name !== undefined);
    throw new InputError([`${file}:${headerIndex + 1}: the header row has no column ${missing.join(' and no column ')} (it names: ${namedColumns(columns)})`]);
  }

  const problems = new LineProblems(file);
  const sets = new Map<string, Set<string>>();
  let rows = 0;
  for (let index = headerIndex + 1; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line.trim() === '') continue;
    const fields = line.split(separator).map((field) => field.trim());
    const ags = fields[agsColumn];
    const plz = fields[plzColumn];
    if (ags === undefined || plz === undefined) {
      problems.add(index + 1, `has ${fields.length} fields; the columns ags and plz are fields ${agsColumn + 1} and ${plzColumn + 1}`);
      continue;
    }
    if (!/^[0-9]{8}$/.test(ags)) {
      problems.add(index + 1, `ags is ${quote(ags)}, expected 8 digits (an AGS)${leadingZeroHint(ags, 8)}`);
      continue;
    }
    if (!/^[0-9]{5}$/.test(plz)) {
      problems.add(index + 1, `plz is ${quote(plz)}, expected 5 digits${leadingZeroHint(plz, 5)}`);
      continue;
    }
    rows++;
    let codes = sets.get(ags);
    if (codes === undefined) sets.set(ags, (codes = new Set()));
    codes.add(plz);
  }
  problems.throwIfAny();
  const byAgs = new Map<string, readonly string[]>();
  for (const [ags, codes] of sets) byAgs.set(ags, [...codes].sort());
  return { file, byAgs, rows };
}

/** Spreadsheets read keys as numbers and drop their leading zero ("07545" becomes "7545"). */
function leadingZeroHint(value: string, digits: number): string {
  return value.length === digits - 1 && /^[0-9]+$/.test(value) ? '; a spreadsheet may have dropped a leading zero' : '';
}

/** Columns a header-row problem names at most: a wrong file's first line can be kilobytes long. */
const MAX_NAMED_COLUMNS = 10;

/** The columns of a header row, each quoted (and cut) as any value from the file is. */
function namedColumns(columns: readonly string[]): string {
  const named = columns.slice(0, MAX_NAMED_COLUMNS).map(quote).join(', ');
  return columns.length > MAX_NAMED_COLUMNS ? `${named} and ${columns.length - MAX_NAMED_COLUMNS} more` : named;
}
