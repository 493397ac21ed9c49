import { parseBenchArgs, UsageError } from '../../bench/support/bench-args';
import { assembleReport, describeMachine, failed, succeeded, type MachineInfo } from '../../bench/support/bench-report';
import { figure } from '../../bench/support/figures';
import { formatSummaryTable, formatTarget, formatValue } from '../../bench/support/summary-table';

/**
 * The pure parts of `npm run bench`: the summary table, the `--json` object and the command
 * line. Inputs are figures as the benches build them (bench/support/figures.ts); no bench runs.
 */
const machine: MachineInfo = { cpus: 2, cpuModel: 'Test CPU @ 2.0GHz', memoryMB: 3_900, node: 'v20.19.0', loadAverageBefore: 0.12 };

const pages = succeeded('pages', {
  name: 'pages',
  figures: [
    figure('pages.helloGet.rps', 'hello-world GET', 10_234.5, 'req/s'),
    figure('pages.questionGet.ratio', 'question page GET / hello-world GET', 0.512, 'ratio', { op: '>=', value: 0.5 }),
    figure('pages.stepPost.p99Ms', 'step POST p99', 61, 'ms', { op: '<=', value: 50 }),
  ],
  notes: ['50 connections, 2 s per load'],
}, 12.345);
const receiptError = failed('receipt', new Error('the receipt has 3 pages, not 2'), 1.5);

describe('formatValue and formatTarget', () => {
  it('gives ratios two decimals, counts and bytes none, other units about three digits', () => {
    expect(formatValue(0.5, 'ratio')).toBe('0.50');
    expect(formatValue(1.2345, 'ratio')).toBe('1.23');
    expect(formatValue(65_536, 'bytes')).toBe('65,536');
    expect(formatValue(3, 'count')).toBe('3');
    expect(formatValue(10_234.5, 'req/s')).toBe('10,235');
    expect(formatValue(45.67, 'ms')).toBe('45.7');
    expect(formatValue(2.987, 'ms')).toBe('2.99');
    expect(formatValue(null, 'ms')).toBe('n/a');
  });

  it('writes targets as ≥/≤ with whole values whole, ratios with two decimals', () => {
    expect(formatTarget({ op: '>=', value: 0.5 }, 'ratio')).toBe('≥ 0.50');
    expect(formatTarget({ op: '>=', value: 1 }, 'ratio')).toBe('≥ 1.00');
    expect(formatTarget({ op: '<=', value: 50 }, 'ms')).toBe('≤ 50');
    expect(formatTarget({ op: '<=', value: 65_536 }, 'bytes')).toBe('≤ 65,536');
    expect(formatTarget({ op: '<=', value: 0 }, 'count')).toBe('≤ 0');
    expect(formatTarget(undefined, 'req/s')).toBe('—');
  });
});

describe('the summary table', () => {
  const lines = formatSummaryTable([pages, receiptError], 13.9);

  it('has one aligned row per figure, with value, unit, target, verdict and label', () => {
    const row = (key: string) => lines.find((l) => l.startsWith(`${key} `));
    expect(row('pages.questionGet.ratio')).toMatch(/^pages\.questionGet\.ratio +0\.51 {2}ratio +≥ 0\.50 +PASS +question page GET \/ hello-world GET$/);
    expect(row('pages.stepPost.p99Ms')).toMatch(/ 61\.0 {2}ms +≤ 50 +FAIL +step POST p99$/);
    expect(row('pages.helloGet.rps')).toMatch(/ 10,235 {2}req\/s +— +— +hello-world GET$/);
    expect(row('pages.wallS')).toMatch(/ 12\.3 {2}s +— +— +wall time of the pages bench$/);
    expect(row('receipt.wallS')).toMatch(/ 1\.50 {2}s +/);
    // Every row's unit starts in the same column as the head's.
    const head = lines.find((l) => l.startsWith('figure '))!;
    const unitColumn = head.indexOf('unit');
    const rows = lines.filter((l) => /^(pages|receipt)\./.test(l));
    expect(rows).toHaveLength(5);
    for (const r of rows) expect(r.slice(unitColumn - 2, unitColumn)).toBe('  ');
    expect(rows.map((r) => r.slice(unitColumn).split(' ')[0])).toEqual(['req/s', 'ratio', 'ms', 's', 's']);
  });

  it('puts each bench\'s notes and error under its figures, then the total', () => {
    const at = (text: string) => lines.findIndex((l) => l.includes(text));
    expect(at('  pages: 50 connections, 2 s per load')).toBe(at('pages.wallS') + 1);
    expect(lines[at('receipt.wallS') + 1]).toBe('  receipt FAILED: the receipt has 3 pages, not 2');
    expect(lines.at(-1)).toBe('total wall time 13.9 s; targets: 1 of 2 met; failed benches: receipt; run FAIL');
  });

  it('keeps the lines of a long error indented under its bench', () => {
    const refused = failed('pages', new Error('a.json: /authorities/2: needs SMTP_URL\na.json: /authorities/3: needs SMTP_URL'), 2);
    const text = formatSummaryTable([refused], 2).join('\n');
    expect(text).toContain('  pages FAILED: a.json: /authorities/2: needs SMTP_URL\n    a.json: /authorities/3: needs SMTP_URL\n');
  });

  it('says PASS for a run whose every target is met', () => {
    const good = succeeded('receipt', { name: 'receipt', figures: [figure('receipt.render.medianMs', 'render median', 2.5, 'ms', { op: '<=', value: 3 })] }, 4);
    expect(formatSummaryTable([good], 4).at(-1)).toBe('total wall time 4.00 s; targets: 1 of 1 met; run PASS');
  });
});

describe('the --json object', () => {
  const startedAt = new Date('2026-12-02T10:00:00.000Z');

  it('holds the machine, every figure by key with target and pass, and the notes', () => {
    const report = assembleReport({ startedAt, machine, durationS: 13.9, outcomes: [pages, receiptError] });
    expect(JSON.parse(JSON.stringify(report))).toEqual({
      version: 1,
      startedAt: '2026-12-02T10:00:00.000Z',
      machine: { cpus: 2, cpuModel: 'Test CPU @ 2.0GHz', memoryMB: 3_900, node: 'v20.19.0', loadAverageBefore: 0.12 },
      durationS: 13.9,
      benches: {
        pages: { notes: ['50 connections, 2 s per load'] },
        receipt: { notes: [], error: 'the receipt has 3 pages, not 2' },
      },
      figures: {
        'pages.helloGet.rps': { value: 10_234.5, unit: 'req/s', target: null, pass: null },
        'pages.questionGet.ratio': { value: 0.512, unit: 'ratio', target: { op: '>=', value: 0.5 }, pass: true },
        'pages.stepPost.p99Ms': { value: 61, unit: 'ms', target: { op: '<=', value: 50 }, pass: false },
        'pages.wallS': { value: 12.345, unit: 's', target: null, pass: null },
        'receipt.wallS': { value: 1.5, unit: 's', target: null, pass: null },
      },
      pass: false,
    });
    expect(Object.keys(report.figures)).toEqual(['pages.helloGet.rps', 'pages.questionGet.ratio', 'pages.stepPost.p99Ms', 'pages.wallS', 'receipt.wallS']);
  });

  it('passes only when every target is met and no bench failed; a null value with a target fails', () => {
    const met = succeeded('pages', { name: 'pages', figures: [figure('pages.questionGet.ratio', 'ratio', 0.6, 'ratio', { op: '>=', value: 0.5 })] }, 1);
    expect(assembleReport({ startedAt, machine, durationS: 1, outcomes: [met] }).pass).toBe(true);
    expect(assembleReport({ startedAt, machine, durationS: 2, outcomes: [met, failed('receipt', 'boom', 1)] }).pass).toBe(false);
    const missing = succeeded('operators', { name: 'operators', figures: [figure('operators.thueringen.startMoreMs', 'not measured', null, 'ms', { op: '<=', value: 500 })] }, 1);
    const report = assembleReport({ startedAt, machine, durationS: 1, outcomes: [missing] });
    expect(report.figures['operators.thueringen.startMoreMs']).toEqual({ value: null, unit: 'ms', target: { op: '<=', value: 500 }, pass: false });
    expect(report.pass).toBe(false);
  });

  it('refuses a key used twice or outside its bench\'s name', () => {
    const twice = succeeded('pages', { name: 'pages', figures: [figure('pages.a', 'a', 1, 's'), figure('pages.a', 'again', 2, 's')] }, 1);
    expect(() => assembleReport({ startedAt, machine, durationS: 1, outcomes: [twice] })).toThrow('figure key pages.a is used twice');
    const foreign = succeeded('receipt', { name: 'receipt', figures: [figure('pages.a', 'a', 1, 's')] }, 1);
    expect(() => assembleReport({ startedAt, machine, durationS: 1, outcomes: [foreign] })).toThrow('does not start with "receipt."');
  });

  it('describes this machine', () => {
    const here = describeMachine();
    expect(here.cpus).toBeGreaterThan(0);
    expect(here.memoryMB).toBeGreaterThan(0);
    expect(here.node).toBe(process.version);
    expect(here.cpuModel.length).toBeGreaterThan(0);
    expect(Number.isFinite(here.loadAverageBefore)).toBe(true);
  });
});

describe('the bench command line', () => {
  const names = ['pages', 'receipt', 'scale'];

  it('takes --only (both spellings) and --json in any order', () => {
    expect(parseBenchArgs([], names)).toEqual({ only: new Set(names), json: false });
    expect(parseBenchArgs(['--json', '--only', 'pages,receipt'], names)).toEqual({ only: new Set(['pages', 'receipt']), json: true });
    expect(parseBenchArgs(['--only=scale', '--json'], names)).toEqual({ only: new Set(['scale']), json: true });
  });

  it('refuses unknown names, an empty --only and unknown arguments', () => {
    expect(() => parseBenchArgs(['--only', 'pages,nope'], names)).toThrow(new UsageError('--only takes a comma-separated list of pages, receipt, scale (unknown: nope)'));
    expect(() => parseBenchArgs(['--only'], names)).toThrow(UsageError);
    expect(() => parseBenchArgs(['--jsno'], names)).toThrow('unknown argument --jsno');
  });
});
