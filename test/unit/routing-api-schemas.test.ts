import path from 'node:path';
import { loadRoutingApiSchemas, ROUTING_API_DESCRIPTION } from '../support/routing-api-schemas';
import { SHARED_DATA } from '../support/shared-data';

/** The shared FIT-Connect description: under CI its absence fails the run, it never skips it. */
describe('the shared Routing API description', () => {
  const missing = path.join(__dirname, 'no-such-description.yaml');

  test('missing under CI: an error naming the file', () => {
    expect(() => loadRoutingApiSchemas(missing, true)).toThrow(`${missing} is missing: the Routing API tests validate against it`);
  });

  test("missing in a user's clone: no schemas (the tests say what they skip)", () => {
    expect(loadRoutingApiSchemas(missing, false)).toBeUndefined();
  });

  test('is read from the shared data folder (EFA_SHARED_DATA, set by .ci/run, else ../shared/data)', () => {
    expect(ROUTING_API_DESCRIPTION).toBe(path.join(SHARED_DATA, 'fitko-routing-api-v2.yaml'));
  });
});
