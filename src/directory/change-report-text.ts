import type { ChangeReport, MunicipalityChanges, UnitChanges, UnmatchedRegion } from './change-report';
import type { MunicipalityImportPlan } from './plan-import';

/** What happened to the tenant file in the end. */
export type ImportOutcome = 'written' | 'dry-run' | 'unchanged' | 'not-written';

/**
 * The change report as an operator reads it in a terminal: one section per kind of unit with
 * its counts, then one line per change (`+` added, `-` removed, `~` renamed, `*` other postal
 * codes, `!` a responsibility that matches no municipality), then what happened to the file.
 */
export function formatChangeReport(tenantId: string, file: string, plan: MunicipalityImportPlan, outcome: ImportOutcome): string {
  const { directory, postalCodes, report } = plan;
  const lines = [
    `Tenant ${tenantId} (${file})`,
    `Directory: ${directory.file} (GV100AD, Gebietsstand ${directory.gebietsstand}, ${directory.encoding}, ${directory.lines} lines)`,
  ];
  if (postalCodes !== undefined) {
    const unknown = postalCodes.unknownAgs.length;
    lines.push(`Postal codes: ${postalCodes.file} (${postalCodes.rows} rows${unknown > 0 ? `; ${unknown} AGS not in the directory, not used: ${sample(postalCodes.unknownAgs)}` : ''})`);
  }
  lines.push('', ...municipalitySection(report.municipalities), ...unincorporatedLines(plan));
  lines.push('', ...unitSection('Associations', report.associations));
  lines.push('', ...unitSection('Districts', report.districts));
  lines.push('', ...unmatchedSection(report));
  lines.push('', outcomeLine(file, outcome));
  return `${lines.join('\n')}\n`;
}

function counts(changes: UnitChanges): string {
  return `${changes.before} before, ${changes.after} after: ${changes.added.length} added, ${changes.removed.length} removed, ${changes.renamed.length} renamed`;
}

function unitLines(changes: UnitChanges): string[] {
  return [
    ...changes.added.map((unit) => `  + ${unit.ars} ${unit.name}`),
    ...changes.removed.map((unit) => `  - ${unit.ars} ${unit.name}`),
    ...changes.renamed.map((rename) => `  ~ ${rename.ars} ${rename.from} -> ${rename.to}`),
  ];
}

function municipalitySection(changes: MunicipalityChanges): string[] {
  return [
    `Municipalities: ${counts(changes)}, ${changes.postalCodesChanged.length} with other postal codes`,
    ...unitLines(changes),
    ...changes.postalCodesChanged.map((change) => `  * ${change.ars} ${change.name}: ${[...change.added.map((c) => `+${c}`), ...change.removed.map((c) => `-${c}`)].join(' ')}`),
  ];
}

/** Only when the regions have gemeindefreie Gebiete (few states do; Thüringen has none). */
function unincorporatedLines(plan: MunicipalityImportPlan): string[] {
  const { inhabited, uninhabited } = plan.unincorporated;
  return [
    ...(inhabited > 0 ? [`  ${inhabited} of them ${inhabited === 1 ? 'is an unincorporated area' : 'are unincorporated areas'} (gemeindefreie Gebiete, inhabited)`] : []),
    ...(uninhabited > 0 ? [`  ${uninhabited} uninhabited unincorporated ${uninhabited === 1 ? 'area' : 'areas'} (gemeindefreie Gebiete) skipped`] : []),
  ];
}

function unitSection(title: string, changes: UnitChanges): string[] {
  return [`${title}: ${counts(changes)}`, ...unitLines(changes)];
}

function unmatchedSection(report: ChangeReport): string[] {
  const broken = report.unmatchedRegions.filter((region) => region.matchedBefore > 0).length;
  const title = report.unmatchedRegions.length === 0
    ? 'Responsibilities that match no municipality: none'
    : `Responsibilities that match no municipality: ${report.unmatchedRegions.length} (${broken} broken by this directory)`;
  return [title, ...report.unmatchedRegions.map(unmatchedLine)];
}

export function unmatchedLine(region: UnmatchedRegion): string {
  const before = region.matchedBefore === 0
    ? 'matched none before either'
    : `matched ${region.matchedBefore} ${region.matchedBefore === 1 ? 'municipality' : 'municipalities'} before, none now`;
  return `  ! ${region.authority} ${region.pointer}: "${region.region}" for ${region.forms.join(', ')}: ${before}`;
}

function outcomeLine(file: string, outcome: ImportOutcome): string {
  switch (outcome) {
    case 'written': return `Written: ${file}`;
    case 'dry-run': return `Dry run: ${file} not written`;
    case 'unchanged': return `Unchanged: ${file} already holds this directory`;
    case 'not-written': return `Not written: ${file} (the result does not pass check; problems on stderr)`;
  }
}

/** At most five keys, then how many more. */
function sample(keys: readonly string[]): string {
  return keys.length <= 5 ? keys.join(', ') : `${keys.slice(0, 5).join(', ')} and ${keys.length - 5} more`;
}
