import { classesReport, describeFailure, figuresLine } from '../fuzz/results';
import { runFuzz } from '../fuzz/runner';

/**
 * The standing fuzz suite, bounded and seeded: 2,500 hostile cases over the JSON API and the
 * citizen pages against the real server (SQLite file, delivery worker, HTTP receiver), three
 * of them giant payloads. `npm run fuzz -- --cases N` runs the same generator longer; a failure
 * here prints the classes with case numbers to run again with `--case`. See docs/fuzzing.md.
 */
const SEED = 20261109;
const CASES = 2500;
const GIANT_CASES = 3;

describe('fuzzing the API and the pages', () => {
  test(`${CASES} seeded cases: no 5xx or crash, bounded answers and times, every acceptance stored, delivered and receipted byte for byte`, async () => {
    const report = await runFuzz({ seed: SEED, cases: CASES, giantCases: GIANT_CASES, concurrency: 4 });
    console.log(figuresLine(report.figures));

    expect(report.figures.cases).toBe(CASES);
    // Some cases must get through, or the checks on accepted submissions would check nothing.
    expect(report.figures.accepted).toBeGreaterThan(100);
    const failures = report.failures.length === 0 ? '' : `${classesReport(report.classes)}\n\nfirst: ${describeFailure(report.failures[0]!)}\n(npm run fuzz -- --seed ${SEED} --cases ${CASES} --giant ${GIANT_CASES} --case <n>)`;
    expect(failures).toBe('');
    expect(report.figures.delivered).toBe(report.figures.accepted);
  }, 240_000);
});
