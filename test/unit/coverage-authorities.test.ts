import { computeCoverage, type CoverageForm, type LastDeliveries } from '../../src/coverage/coverage';
import { COVERAGE_AUTHORITIES_CSV_COLUMNS, renderCoverageAuthoritiesCsv } from '../../src/coverage/coverage-authorities-csv';
import { renderCoverageHtml } from '../../src/coverage/coverage-html';
import { renderCoverageTable } from '../../src/coverage/coverage-table';
import { buildRoutingTable } from '../../src/routing/routing-table';
import type { Authority, Tenant } from '../../src/routing/tenant';

/**
 * The coverage report's authorities section (issue 12 point 2): per tenant each authority with
 * its channel, its responsibilities by rollout state, the last successful test and the last real
 * delivery (from the store's lastDeliveries, passed in), and a flag for an authority with a live
 * responsibility whose channel never took anything.
 */

const NOW = new Date('2026-12-01T13:05:00Z');
const TESTED = new Date('2026-11-30T08:15:00.123Z');
const REAL = new Date('2026-11-29T16:40:00Z');

function authority(id: string, delivery: Authority['delivery'], serves: Authority['serves']): Authority {
  return { id, name: `Name of ${id}`, email: `${id}@example.org`, delivery, serves };
}

const tenant: Tenant = {
  id: 'testland',
  name: { de: 'Freistaat Testland', en: 'Free State of Testland' },
  regions: ['15'],
  links: { imprintUrl: 'https://example.org/i', privacyUrl: 'https://example.org/p', accessibilityUrl: 'https://example.org/a' },
  municipalities: [
    { ars: '150010001001', name: 'Ahlen', population: 1000, postalCodes: ['11111'] },
    { ars: '150020001001', name: 'Emden', population: 3000, postalCodes: ['22221'] },
    { ars: '150030000000', name: 'Hafenstadt', population: 10000, postalCodes: ['33331'] },
  ],
  authorities: [
    // Live, tested and delivered for real.
    authority('lra-nord', { type: 'http', url: 'https://nord.example.org/in', secretEnv: 'S_NORD' }, [
      { forms: ['form-a'], regions: ['15001'] },
      { forms: ['form-b'], regions: ['15001'], rollout: 'testing' },
    ]),
    // Live, never delivered: flagged.
    authority('lra-sued', { type: 'email' }, [{ forms: ['form-a', 'form-b'], regions: ['15002'] }]),
    // Not live (planned and paused), never delivered: not flagged, no citizen is sent there.
    authority('hafenstadt', { type: 'inbox', apiKeyHashEnv: 'K_HAFEN' }, [
      { forms: ['form-a'], regions: ['150030000000'], rollout: 'planned', plannedFrom: '2027-03-01' },
      { forms: ['form-b'], regions: ['150030000000'], rollout: 'paused' },
    ]),
  ],
};
const forms: CoverageForm[] = [
  { id: 'form-a', title: { de: 'Antrag A', en: 'Application A' } },
  { id: 'form-b', title: { de: 'Antrag B', en: 'Application B' } },
];
const routing = buildRoutingTable([{ file: 'testland.json', tenant }], new Set(forms.map((f) => f.id)));
const lastDeliveries: LastDeliveries = new Map([['lra-nord', { test: TESTED, real: REAL }], ['someone-else', { test: TESTED }]]);

const withDeliveries = computeCoverage({ routing, forms, now: NOW, lastDeliveries });
const withoutDeliveries = computeCoverage({ routing, forms, now: NOW });

/** The rows of a CSV whose fields hold no comma, quote or line break (as these names do). */
function parseCsv(text: string): string[][] {
  expect(text.endsWith('\r\n')).toBe(true);
  return text.split('\r\n').slice(0, -1).map((line) => line.split(','));
}

describe('the authorities section of the coverage report', () => {
  it('lists each authority of the tenant with its channel, rollout counts and last deliveries', () => {
    expect(withDeliveries.deliveriesKnown).toBe(true);
    expect(withDeliveries.authorities).toEqual([{
      tenant: { id: 'testland', name: tenant.name },
      authorities: [
        {
          id: 'lra-nord', name: 'Name of lra-nord', channel: 'http', responsibilities: { planned: 0, testing: 1, live: 1, paused: 0 },
          lastSuccessfulTestAt: TESTED.toISOString(), lastRealDeliveryAt: REAL.toISOString(), liveWithoutDelivery: false,
        },
        {
          id: 'lra-sued', name: 'Name of lra-sued', channel: 'email', responsibilities: { planned: 0, testing: 0, live: 1, paused: 0 },
          lastSuccessfulTestAt: null, lastRealDeliveryAt: null, liveWithoutDelivery: true,
        },
        {
          id: 'hafenstadt', name: 'Name of hafenstadt', channel: 'inbox', responsibilities: { planned: 1, testing: 0, live: 0, paused: 1 },
          lastSuccessfulTestAt: null, lastRealDeliveryAt: null, liveWithoutDelivery: false,
        },
      ],
    }]);
  });

  it('a successful test alone is enough: the channel is known to work', () => {
    const tested = computeCoverage({ routing, forms, now: NOW, lastDeliveries: new Map([['lra-sued', { test: TESTED }]]) });
    expect(tested.authorities[0]!.authorities.find((a) => a.id === 'lra-sued')).toMatchObject({ lastSuccessfulTestAt: TESTED.toISOString(), liveWithoutDelivery: false });
  });

  it('without the store, the authorities carry no delivery fields and the report says so', () => {
    expect(withoutDeliveries.deliveriesKnown).toBe(false);
    const [nord] = withoutDeliveries.authorities[0]!.authorities;
    expect(nord).toEqual({ id: 'lra-nord', name: 'Name of lra-nord', channel: 'http', responsibilities: { planned: 0, testing: 1, live: 1, paused: 0 } });
  });

  it('follows the filters: a form counts only its responsibilities, an authority without one is left out; a tenant filter keeps its tenant', () => {
    const formB = computeCoverage({ routing, forms, formId: 'form-b', now: NOW, lastDeliveries });
    expect(formB.authorities[0]!.authorities.map((a) => [a.id, a.responsibilities])).toEqual([
      ['lra-nord', { planned: 0, testing: 1, live: 0, paused: 0 }],
      ['lra-sued', { planned: 0, testing: 0, live: 1, paused: 0 }],
      ['hafenstadt', { planned: 0, testing: 0, live: 0, paused: 1 }],
    ]);
    // For form-b lra-nord is only testing: no live route to flag, whatever its deliveries.
    expect(formB.authorities[0]!.authorities[0]!.liveWithoutDelivery).toBe(false);
    const none = computeCoverage({ routing, forms: [...forms, { id: 'form-c', title: { de: 'Antrag C' } }], formId: 'form-c', now: NOW });
    expect(none.authorities).toEqual([{ tenant: { id: 'testland', name: tenant.name }, authorities: [] }]);
  });

  it('as CSV of its own: a header row, one row per authority, empty delivery fields for never', () => {
    const rows = parseCsv(renderCoverageAuthoritiesCsv(withDeliveries));
    expect(rows[0]).toEqual([...COVERAGE_AUTHORITIES_CSV_COLUMNS]);
    expect(rows[0]).toEqual([
      'tenant_id', 'authority_id', 'authority_name', 'channel',
      'planned_responsibilities', 'testing_responsibilities', 'live_responsibilities', 'paused_responsibilities',
      'last_successful_test_at', 'last_real_delivery_at', 'live_without_delivery',
    ]);
    expect(rows.slice(1)).toEqual([
      ['testland', 'lra-nord', 'Name of lra-nord', 'http', '0', '1', '1', '0', TESTED.toISOString(), REAL.toISOString(), 'false'],
      ['testland', 'lra-sued', 'Name of lra-sued', 'email', '0', '0', '1', '0', '', '', 'true'],
      ['testland', 'hafenstadt', 'Name of hafenstadt', 'inbox', '1', '0', '0', '1', '', '', 'false'],
    ]);
    // Unknown deliveries: the flag column is empty too, so "never" and "not known" stay apart.
    expect(parseCsv(renderCoverageAuthoritiesCsv(withoutDeliveries))[2]).toEqual(['testland', 'lra-sued', 'Name of lra-sued', 'email', '0', '0', '1', '0', '', '', '']);
  });

  it('in the terminal table: counts by state, last deliveries, and the authorities to test first', () => {
    const text = renderCoverageTable(withDeliveries);
    expect(text).toContain('authorities of testland (Freistaat Testland), responsibilities by rollout state:');
    expect(text).toMatch(/^authority\s+channel\s+planned\s+testing\s+live\s+paused\s+last test\s+last real delivery$/m);
    expect(text).toMatch(/^lra-nord\s+http\s+0\s+1\s+1\s+0\s+2026-11-30T08:15:00Z\s+2026-11-29T16:40:00Z$/m);
    expect(text).toMatch(/^lra-sued\s+email\s+0\s+0\s+1\s+0\s+never\s+never$/m);
    expect(text).toContain('live, but the channel never took a delivery (test or real): lra-sued (efa-forms test-delivery <authority-id>)');
    const plain = renderCoverageTable(withoutDeliveries);
    expect(plain).toMatch(/^authority\s+channel\s+planned\s+testing\s+live\s+paused$/m);
    expect(plain).not.toContain('last test');
    expect(plain).not.toContain('never took');
  });

  it('on the HTML page: a table per tenant with the flag in words, and a note when deliveries are unknown', () => {
    const html = renderCoverageHtml(withDeliveries);
    expect(html).toContain('<h2 id="authorities">Behörden und Zustellungen <span class="en" lang="en">Authorities and deliveries</span></h2>');
    expect(html).toContain('<caption id="authorities-1-caption">Behörden: Freistaat Testland <span class="en" lang="en">Authorities: Free State of Testland</span></caption>');
    expect(html).toContain('<th scope="col">Letzter erfolgreicher Test <span class="en" lang="en">Last successful test</span></th>');
    expect(html).toContain('<th scope="row">Name of lra-nord <span class="key">(lra-nord)</span></th><td>HTTP (signiert)</td><td>live: 1<br>im Test: 1</td><td>30. November 2026 um 09:15</td><td>29. November 2026 um 17:40</td><td>keiner</td>');
    expect(html).toContain('<td>noch nie</td><td>noch nie</td><td><strong>Live, aber noch nie zugestellt: Testzustellung senden</strong></td>');
    expect(html).toContain('<td>geplant: 1<br>pausiert: 1</td>');
    expect(html).not.toContain('Ohne Zustellungsdaten');
    const plain = renderCoverageHtml(withoutDeliveries);
    expect(plain).toContain('Ohne Zustellungsdaten: Der Bericht wurde ohne die Datenbank erstellt');
    expect(plain).not.toContain('Letzter erfolgreicher Test');
  });
});
