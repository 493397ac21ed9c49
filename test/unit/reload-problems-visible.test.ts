import type { Actor } from '../../src/operators/operator-access';
import { problemsVisibleTo } from '../../src/operators/tenant-scope';

/**
 * `problemsVisibleTo` (src/operators/tenant-scope.ts), the rule the API's and the console's reload
 * share: its edges, on lines shaped as the loaders write them. The whole path, on real files and
 * a real container, is in test/integration/reload-problems-scope.test.ts.
 */
const admin: Actor = { kind: 'admin', id: 'admin' };
const operatorOf = (tenantId: string): Actor => ({ kind: 'operator', id: `${tenantId}/ops`, tenantId, operatorId: 'ops' });

describe('problemsVisibleTo', () => {
  const tenantFiles = ['/srv/tenants/a.json', '/srv/tenants/b.json', '/srv/tenants/neu.json'];
  const scopeOfA = { ownTenantFile: '/srv/tenants/a.json', tenantFiles };
  const lines = {
    ownOnly: '/srv/tenants/a.json: /authorities/0/serves/0/forms/0: form "x" is not loaded from FORMS_DIR',
    ownNamingB: '/srv/tenants/a.json: /regions/0: region "15" overlaps region "1" at /srv/tenants/b.json: /regions/0',
    ownNamingNew: '/srv/tenants/a.json: /authorities/0/id: authority id "amt" is also used at /srv/tenants/neu.json: /authorities/0/id',
    ownNamingOperatorOfB: '/srv/tenants/a.json: /operators/0: operator "a/ops" has the same token hash as operator "b/ops"',
    ofB: '/srv/tenants/b.json: /: not valid JSON: Unexpected end of JSON input',
    form: 'forms/gewerbe/form.json: /schema: must be object',
    folder: '/srv/tenants: /: SITE_TENANT "x" is not a tenant file here',
  };

  it('gives the admin every line', () => {
    const all = Object.values(lines);
    expect(problemsVisibleTo(admin, all, scopeOfA)).toEqual({ shown: all, hidden: 0 });
  });

  it('gives a tenant operator its own and the shared lines that name no other tenant, and counts the rest', () => {
    expect(problemsVisibleTo(operatorOf('a'), Object.values(lines), scopeOfA)).toEqual({ shown: [lines.ownOnly, lines.form, lines.folder], hidden: 4 });
  });

  it('does not take a file name for the tail of a longer one', () => {
    // Tenants read from the working directory: their files have no folder in front.
    const scope = { ownTenantFile: 'land-a.json', tenantFiles: ['land-a.json', 'a.json'] };
    const own = 'land-a.json: /regions/0: region "9" lies outside';
    expect(problemsVisibleTo(operatorOf('land-a'), [own, 'a.json: /: broken', `${own} of a.json: /regions/0`], scope)).toEqual({ shown: [own], hidden: 2 });
  });

  it('holds back a line of a shared file that names another tenant', () => {
    const line = 'forms/x/form.json: /ui/0: "see /srv/tenants/b.json: /authorities"';
    expect(problemsVisibleTo(operatorOf('a'), [line], scopeOfA)).toEqual({ shown: [], hidden: 1 });
  });
});
