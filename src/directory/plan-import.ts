import type { Tenant } from '../routing/tenant';
import { compareTenant, type ChangeReport } from './change-report';
import { readGv100ad } from './gv100ad';
import { selectForRegions, type UnincorporatedAreas } from './import-directory';
import { InputError } from './input-error';
import { readPostalCodes } from './postal-codes';
import { formatTenantFile, withUnits } from './tenant-file';
import type { TextEncoding } from './decode';

export interface InputFile {
  /** The name problems and the report use (the path as the operator gave it). */
  readonly file: string;
  readonly bytes: Uint8Array;
}

export interface MunicipalityImportInput {
  readonly tenant: Tenant;
  readonly directory: InputFile;
  readonly postalCodes?: InputFile;
}

/** What an import would do, before anything is checked against the other tenants or written. */
export interface MunicipalityImportPlan {
  readonly directory: {
    readonly file: string;
    readonly encoding: TextEncoding;
    /** YYYY-MM-DD. */
    readonly gebietsstand: string;
    readonly lines: number;
  };
  readonly postalCodes?: {
    readonly file: string;
    readonly rows: number;
    /** AGS the list names that the directory does not know (another state or year): their rows are not used. */
    readonly unknownAgs: readonly string[];
  };
  /** The gemeindefreie Gebiete in the tenant's regions: the inhabited imported, the uninhabited skipped. */
  readonly unincorporated: UnincorporatedAreas;
  /** The tenant as it would be. */
  readonly tenant: Tenant;
  /** Its file's text. */
  readonly text: string;
  readonly report: ChangeReport;
}

/**
 * Everything of `import-municipalities` that needs no file system: parse the directory and
 * the postal-code list, take what lies in the tenant's regions, build the new tenant and its
 * text, compare with the tenant as it was. Throws InputError (`file:line: reason` lines) when
 * an input does not fit its format, or holds no municipality of the tenant (the wrong state's
 * file would otherwise remove every municipality). A benchmark can call it as it is.
 */
export function planMunicipalityImport(input: MunicipalityImportInput): MunicipalityImportPlan {
  const problems: string[] = [];
  const parse = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  };
  const directory = parse(() => readGv100ad(input.directory.bytes, input.directory.file));
  const postalCodes = input.postalCodes;
  const list = postalCodes === undefined ? undefined : parse(() => readPostalCodes(postalCodes.bytes, postalCodes.file));
  if (problems.length > 0 || directory === undefined) throw new InputError(problems);

  const units = selectForRegions(directory, input.tenant.regions, list);
  if (units.municipalities.length === 0) {
    throw new InputError([
      `${directory.file}: has no municipality in the regions of tenant "${input.tenant.id}" (${input.tenant.regions.join(', ')}); ` +
        `its ${directory.municipalities.length} municipalities lie in ${landsOf(directory.municipalities)}`,
    ]);
  }
  const tenant = withUnits(input.tenant, units);
  return {
    directory: { file: directory.file, encoding: directory.encoding, gebietsstand: directory.gebietsstand, lines: directory.lines },
    ...(list === undefined ? {} : { postalCodes: { file: list.file, rows: list.rows, unknownAgs: units.unknownPostalCodeAgs } }),
    unincorporated: units.unincorporated,
    tenant,
    text: formatTenantFile(tenant),
    report: compareTenant(input.tenant, units),
  };
}

/** "Land 15" or "Land 15, Land 16": where a directory's municipalities are, for the wrong-file message. */
function landsOf(municipalities: ReadonlyArray<{ readonly ars: string }>): string {
  const lands = [...new Set(municipalities.map((m) => m.ars.slice(0, 2)))].sort();
  return lands.length === 0 ? 'no Land' : lands.map((land) => `Land ${land}`).join(', ');
}
