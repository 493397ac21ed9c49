import { decodeText, splitLines, type TextEncoding } from './decode';
import { InputError, LineProblems, quote } from './input-error';

/**
 * The official municipality directory of Destatis (Gemeindeverzeichnis, GV100AD): one
 * fixed-width record per line, positions counted in characters (1-based in the layout, see
 * ../shared/data/README.md). Only what the routing needs is kept: districts (Satzart 40),
 * municipal associations (50) and municipalities (60). Land, Regierungsbezirk and Region
 * records (10, 20, 30) are checked and skipped.
 */
export interface DistrictRecord {
  readonly line: number;
  /** Land, RB, Kreis: 5 digits, the start of every key below it. */
  readonly ars: string;
  readonly name: string;
  /** Textkennzeichen 41–45 (41 kreisfreie Stadt, 44 Landkreis, …). */
  readonly kind: number;
}

export interface AssociationRecord {
  readonly line: number;
  /** Land, RB, Kreis, Gemeindeverband: 9 digits. */
  readonly ars: string;
  readonly name: string;
  /** Textkennzeichen 50–58 (50 verbandsfreie Gemeinde, 54 Verwaltungsgemeinschaft, 58 erfüllende Gemeinde, …). */
  readonly kind: number;
}

export interface MunicipalityRecord {
  readonly line: number;
  /** Amtlicher Gemeindeschlüssel: positions 11–18. */
  readonly ags: string;
  /** Amtlicher Regionalschlüssel: positions 11–15 + 19–22 + 16–18. */
  readonly ars: string;
  /** The official name ("Erfurt, Stadt"). */
  readonly name: string;
  /** Textkennzeichen 60–67 (61 kreisfreie Stadt, 63 Stadt, 64 kreisangehörige Gemeinde, …). */
  readonly kind: number;
  // Area and the several-postal-codes mark are unused by the import, but kept: they are checked
  // like every field (a garbled one means a garbled line), and the record stays the layout's.
  readonly areaHectares: number;
  readonly population: number;
  /** The postal code of the seat of the administration; absent when the file leaves it blank. */
  readonly postalCode?: string;
  /** `*****` at 171–175: the municipality has more postal codes than the seat's. */
  readonly severalPostalCodes: boolean;
}

export interface Gv100adDirectory {
  readonly file: string;
  readonly encoding: TextEncoding;
  /** Gebietsstand of the records, YYYY-MM-DD. */
  readonly gebietsstand: string;
  /** Lines read (records and any blank lines). */
  readonly lines: number;
  readonly districts: readonly DistrictRecord[];
  readonly associations: readonly AssociationRecord[];
  readonly municipalities: readonly MunicipalityRecord[];
}

/** A field at 1-based positions `from`–`to`, as the layout names it. */
interface Field {
  readonly label: string;
  readonly from: number;
  readonly to: number;
}

const f = (label: string, from: number, to: number): Field => ({ label, from, to });
const SATZART = f('Satzart', 1, 2);
const GEBIETSSTAND = f('Gebietsstand', 3, 10);
const LAND = f('Land', 11, 12);
const RB = f('Regierungsbezirk', 13, 13);
const KREIS = f('Kreis', 14, 15);
const GEMEINDE = f('Gemeinde', 16, 18);
const VERBAND = f('Gemeindeverband', 19, 22);
const NAME = f('name', 23, 72);
const TEXTKENNZEICHEN = f('Textkennzeichen', 123, 124);
const AREA = f('area', 129, 139);
const POPULATION = f('population', 140, 150);
const POSTAL_CODE = f('postal code', 166, 170);
const SEVERAL = f('several-postal-codes mark', 171, 175);

/** Per Satzart: the key fields (digits), the Textkennzeichen allowed, how long a line must at least be. */
interface SatzartSpec {
  readonly keys: readonly Field[];
  readonly kinds?: readonly [number, number];
  readonly minLength: number;
}

const SATZARTEN: Readonly<Record<string, SatzartSpec>> = {
  '10': { keys: [LAND], minLength: NAME.from },
  '20': { keys: [LAND, RB], minLength: NAME.from },
  '30': { keys: [LAND, RB], minLength: NAME.from },
  '40': { keys: [LAND, RB, KREIS], kinds: [41, 45], minLength: TEXTKENNZEICHEN.to },
  '50': { keys: [LAND, RB, KREIS, VERBAND], kinds: [50, 58], minLength: TEXTKENNZEICHEN.to },
  // Up to the postal code: a line cut shorter lost data, not just trailing blanks.
  '60': { keys: [LAND, RB, KREIS, GEMEINDE, VERBAND], kinds: [60, 67], minLength: POSTAL_CODE.to },
};

/** Reads a directory file's bytes (UTF-8 or ISO-8859-1, LF or CRLF). Pure: no I/O. */
export function readGv100ad(bytes: Uint8Array, file: string): Gv100adDirectory {
  const { text, encoding } = decodeText(bytes);
  return parseGv100ad(text, file, encoding);
}

/**
 * Parses the text of a directory. Every line that does not fit the layout is reported as
 * `file:line: reason` (up to 20) in one InputError; nothing is returned then.
 */
export function parseGv100ad(text: string, file: string, encoding: TextEncoding = 'UTF-8'): Gv100adDirectory {
  const lines = splitLines(text);
  const problems = new LineProblems(file);
  const districts: DistrictRecord[] = [];
  const associations: AssociationRecord[] = [];
  const municipalities: MunicipalityRecord[] = [];
  const seen = new Map<string, number>();
  let gebietsstand: { value: string; line: number } | undefined;

  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const reason = parseLine(raw, line);
    if (typeof reason === 'string') {
      problems.add(line, reason);
      return;
    }
    const record = reason;
    if (gebietsstand === undefined) gebietsstand = { value: record.gebietsstand, line };
    else if (record.gebietsstand !== gebietsstand.value) {
      problems.add(line, `Gebietsstand ${record.gebietsstand} differs from ${gebietsstand.value} of line ${gebietsstand.line}: one file, one directory`);
      return;
    }
    if (record.kind === 'other') return;
    // A key twice means two files were joined or a line was copied: which one is right?
    const keys = [`${record.kind} ARS ${record.value.ars}`, ...(record.kind === 'municipality' ? [`municipality AGS ${record.value.ags}`] : [])];
    const repeated = keys.find((key) => seen.has(key));
    if (repeated !== undefined) {
      problems.add(line, `${repeated} is already at line ${seen.get(repeated)}`);
      return;
    }
    for (const key of keys) seen.set(key, line);
    if (record.kind === 'district') districts.push(record.value);
    else if (record.kind === 'association') associations.push(record.value);
    else municipalities.push(record.value);
  });
  problems.throwIfAny();
  if (gebietsstand === undefined) throw new InputError([`${file}: contains no records`]);
  const date = gebietsstand.value;
  return {
    file,
    encoding,
    gebietsstand: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`,
    lines: lines.length,
    districts,
    associations,
    municipalities,
  };
}

type ParsedLine =
  | { readonly kind: 'other'; readonly gebietsstand: string }
  | { readonly kind: 'district'; readonly gebietsstand: string; readonly value: DistrictRecord }
  | { readonly kind: 'association'; readonly gebietsstand: string; readonly value: AssociationRecord }
  | { readonly kind: 'municipality'; readonly gebietsstand: string; readonly value: MunicipalityRecord };

/** One record, or the reason it does not fit. */
function parseLine(raw: string, line: number): ParsedLine | string {
  const satzart = slice(raw, SATZART);
  const spec = SATZARTEN[satzart];
  if (spec === undefined) return `${describe(SATZART)} is ${quote(satzart)}, expected one of ${Object.keys(SATZARTEN).join(', ')}`;
  if (raw.length < spec.minLength) {
    return `is ${raw.length} characters long; a Satzart ${satzart} record has at least ${spec.minLength}`;
  }
  // Editors may strip trailing blanks; what is missing after minLength was blank.
  const text = raw.padEnd(SEVERAL.to, ' ');
  const gebietsstand = slice(text, GEBIETSSTAND);
  if (!isDate(gebietsstand)) return `${describe(GEBIETSSTAND)} is ${quote(gebietsstand)}, expected a date YYYYMMDD`;
  for (const field of spec.keys) {
    const value = slice(text, field);
    if (!/^[0-9]+$/.test(value)) return `${describe(field)} is ${quote(value)}, expected ${field.to - field.from + 1} digits`;
  }
  const name = slice(text, NAME).trim();
  if (name === '') return `${describe(NAME)} is blank`;
  if (spec.kinds === undefined) return { kind: 'other', gebietsstand };

  const kindText = slice(text, TEXTKENNZEICHEN);
  const kind = Number(kindText);
  const [low, high] = spec.kinds;
  if (!/^[0-9]{2}$/.test(kindText) || kind < low || kind > high) {
    return `${describe(TEXTKENNZEICHEN)} is ${quote(kindText)}, expected ${low}–${high} for Satzart ${satzart}`;
  }
  const district = slice(text, LAND) + slice(text, RB) + slice(text, KREIS);
  if (satzart === '40') return { kind: 'district', gebietsstand, value: { line, ars: district, name, kind } };
  const verband = slice(text, VERBAND);
  if (satzart === '50') return { kind: 'association', gebietsstand, value: { line, ars: district + verband, name, kind } };

  const areaHectares = number(text, AREA);
  const population = number(text, POPULATION);
  if (typeof areaHectares === 'string') return areaHectares;
  if (typeof population === 'string') return population;
  const postalCode = slice(text, POSTAL_CODE);
  if (postalCode.trim() !== '' && !/^[0-9]{5}$/.test(postalCode)) return `${describe(POSTAL_CODE)} is ${quote(postalCode)}, expected 5 digits or blank`;
  const several = slice(text, SEVERAL);
  if (several !== '*****' && several.trim() !== '') return `${describe(SEVERAL)} is ${quote(several)}, expected "*****" or blank`;
  const gemeinde = slice(text, GEMEINDE);
  const value: MunicipalityRecord = {
    line,
    ags: district + gemeinde,
    ars: district + verband + gemeinde,
    name,
    kind,
    areaHectares,
    population,
    ...(postalCode.trim() === '' ? {} : { postalCode }),
    severalPostalCodes: several === '*****',
  };
  return { kind: 'municipality', gebietsstand, value };
}

function slice(text: string, field: Field): string {
  return text.slice(field.from - 1, field.to);
}

function describe(field: Field): string {
  const at = field.from === field.to ? `position ${field.from}` : `positions ${field.from}–${field.to}`;
  return `${field.label} (${at})`;
}

/** A right-aligned count (zero- or blank-padded); the reason when it is none. */
function number(text: string, field: Field): number | string {
  const value = slice(text, field);
  if (!/^ *[0-9]+$/.test(value)) return `${describe(field)} is ${quote(value)}, expected a number`;
  return Number(value.trim());
}

function isDate(value: string): boolean {
  const match = /^([0-9]{4})([0-9]{2})([0-9]{2})$/.exec(value);
  if (!match) return false;
  const month = Number(match[2]);
  const day = Number(match[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}
