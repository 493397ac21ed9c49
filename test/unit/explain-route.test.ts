import { explainRoute, describeStep } from '../../src/routing/explain-route';
import { buildRoutingTable } from '../../src/routing/routing-table';
import type { Tenant } from '../../src/routing/tenant';
import { readJson, SAMPLE_TENANT } from '../support/test-setup';

/** The explanation `efa-forms route` prints must decide as the routing table decides. */
const sample = readJson<Tenant>(SAMPLE_TENANT);
const formIds = ['anwohnerparkausweis', 'gewerbeanmeldung', 'hundesteuer-anmeldung'];
const routing = buildRoutingTable([{ file: 'thueringen.json', tenant: sample }], new Set(formIds));

describe('explainRoute', () => {
  test('names the same authority and prefix as the routing table, for every sample municipality and form', () => {
    for (const m of sample.municipalities) {
      for (const formId of formIds) {
        const match = routing.resolve(formId, m.ars);
        const { winner } = explainRoute([sample], formId, m.ars);
        expect({ formId, ars: m.ars, authority: winner?.claimedBy?.authority.id, prefix: winner?.prefix })
          .toEqual({ formId, ars: m.ars, authority: match?.authority.id, prefix: match?.prefix });
      }
    }
  });

  test('lists the levels of the key and every claimed length, longest first, with the losing claim', () => {
    const tenant: Tenant = {
      ...sample,
      districts: [{ ars: '16070', name: 'Ilm-Kreis' }],
      authorities: [
        ...sample.authorities,
        { ...sample.authorities[0]!, id: 'land', serves: [{ forms: ['hundesteuer-anmeldung'], regions: ['1607000'] }] },
      ],
    };
    const explanation = explainRoute([tenant], 'hundesteuer-anmeldung', '160700029029');
    expect(explanation.steps.map(describeStep)).toEqual([
      '160700029029 (municipality Ilmenau): claimed by stadt-ilmenau, wins (longest claimed prefix)',
      '160700029 (association): no claim',
      '1607000 (prefix): claimed by land, not used (a longer prefix wins)',
      '16070 (district Ilm-Kreis): claimed by landratsamt-ilm-kreis, not used (a longer prefix wins)',
      '160 (government region): no claim',
      '16 (state Freistaat Thüringen): no claim',
    ]);
    expect(explanation.winner?.prefix).toBe('160700029029');
  });

  test('without any claim there is no winner', () => {
    const explanation = explainRoute([sample], 'gewerbeanmeldung', '160665050042');
    expect(explanation.winner).toBeUndefined();
    expect(explanation.steps.map((s) => s.verdict)).toEqual(['no claim', 'no claim', 'no claim', 'no claim', 'no claim']);
  });
});
