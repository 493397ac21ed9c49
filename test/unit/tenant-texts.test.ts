import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkTenantJson } from '../../src/routing/load-tenants';

const SAMPLE = path.resolve(__dirname, '../../tenants/thueringen.json');
const fresh = (): Record<string, any> => JSON.parse(readFileSync(SAMPLE, 'utf8')) as Record<string, any>;
const check = (raw: unknown) => checkTenantJson('/tenants/thueringen.json', raw);

/**
 * Texts of a tenant file reach pages, receipts, payloads and the Routing API: a control character
 * (a stray ESC or BEL from a copy and paste) is refused when the file is checked, in words.
 */
describe('control characters in tenant texts', () => {
  test.each([
    ['the tenant name', (t: Record<string, any>) => { t.name.de = 'Thü\u001bringen'; }, '/name/de'],
    ['an authority name', (t: Record<string, any>) => { t.authorities[0].name = 'Stadt\u0007Erfurt'; }, '/authorities/0/name'],
    ['a fee purpose', (t: Record<string, any>) => {
      t.authorities[0].parameters = { fee: { amountCents: 100, currency: 'EUR', purpose: { de: 'Gebühr\u0000' } } };
    }, '/authorities/0/parameters/fee/purpose/de'],
    ['a street', (t: Record<string, any>) => { t.authorities[0].parameters = { address: { street: 'Fischmarkt\u007f', zip: '99084', city: 'Erfurt' } }; }, '/authorities/0/parameters/address/street'],
  ])('%s is refused with its pointer', (_name, spoil, pointer) => {
    const tenant = fresh();
    spoil(tenant);
    expect(check(tenant)).toEqual({ problems: [`/tenants/thueringen.json: ${pointer}: contains a control character (only tab and line breaks are allowed in texts)`] });
  });

  test('tabs and line breaks are fine, and so is the sample', () => {
    expect('tenant' in check(fresh())).toBe(true);
    const tenant = fresh();
    tenant.authorities[0].parameters = { legalBasis: { de: 'Satzung\n§ 3\tAbs. 1\r\n' } };
    expect('tenant' in check(tenant)).toBe(true);
  });
});
