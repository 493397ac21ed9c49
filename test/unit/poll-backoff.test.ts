import { backoffDelay } from '../../src/delivery/delivery-worker';
import { workerStaleAfter } from '../../src/http/health-router';

/** While the store is away the worker polls ever more rarely, but /readyz never calls it stalled for that. */
describe('the worker\'s wait after failed polls', () => {
  test('doubles from the poll interval up to two intervals and two seconds', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => backoffDelay(250, n))).toEqual([500, 1000, 2000, 2500, 2500, 2500, 2500]);
    expect([1, 2, 3].map((n) => backoffDelay(1000, n))).toEqual([2000, 4000, 4000]);
  });

  test.each([50, 250, 1000, 60_000])('stays below the stale time of /readyz at a %i ms interval', (interval) => {
    for (let failed = 1; failed <= 40; failed++) expect(backoffDelay(interval, failed)).toBeLessThan(workerStaleAfter(interval));
  });
});
