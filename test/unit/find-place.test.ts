import { findPlace, type PlaceLookup } from '../../src/routing/find-place';
import { createMunicipalitySearch } from '../../src/routing/municipality-search';
import type { Municipality, Tenant } from '../../src/routing/tenant';

/** What an operator types for `efa-forms route <form> <place>`, read as ARS, AGS, postal code or name. */
const municipality = (ars: string, name: string, postalCodes: string[], officialName?: string): Municipality => ({ ars, name, postalCodes, ...(officialName ? { officialName } : {}) });
const tenant: Tenant = {
  id: 'land', name: { de: 'Land' }, regions: ['16'], links: { imprintUrl: 'https://x.example/i', privacyUrl: 'https://x.example/p', accessibilityUrl: 'https://x.example/a' },
  municipalities: [
    municipality('160520000000', 'Gera', ['07545']),
    municipality('160680058058', 'Weißensee', ['99631'], 'Weißensee, Stadt'),
    municipality('160700052052', 'Neustadt am Rennsteig', ['98701']),
    municipality('160700058058', 'Großbreitenbach', ['98701']),
    municipality('160765555555', 'Geratal', []),
  ],
  authorities: [],
};
const search = createMunicipalitySearch([tenant]);
const summary = (found: PlaceLookup) => {
  if (found.kind === 'one') return { kind: found.kind, by: found.by, ars: found.match.municipality.ars };
  if (found.kind === 'several') return { kind: found.kind, by: found.by, ars: found.matches.map((m) => m.municipality.ars) };
  return found;
};

describe('findPlace', () => {
  test.each<[string, ReturnType<typeof summary>]>([
    ['160680058058', { kind: 'one', by: 'ARS', ars: '160680058058' }],
    ['16 068 0058 058', { kind: 'one', by: 'ARS', ars: '160680058058' }],
    ['169999999999', { kind: 'unlisted', by: 'ARS', ars: '169999999999' }],
    ['16068058', { kind: 'one', by: 'AGS', ars: '160680058058' }],
    ['16099999', { kind: 'none', by: 'AGS', reason: 'no tenant lists a municipality with AGS 16099999' }],
    ['99631', { kind: 'one', by: 'postal code', ars: '160680058058' }],
    ['98701', { kind: 'several', by: 'postal code', ars: ['160700058058', '160700052052'] }],
    ['12345', { kind: 'none', by: 'postal code', reason: 'no tenant lists a municipality with postal code 12345' }],
    ['1234', { kind: 'none', by: undefined, reason: '"1234" is not an ARS (12 digits), AGS (8 digits) or postal code (5 digits)' }],
    ['weissensee', { kind: 'one', by: 'name', ars: '160680058058' }],
    ['Weißensee, Stadt', { kind: 'one', by: 'name', ars: '160680058058' }],
    ['Gera', { kind: 'one', by: 'name', ars: '160520000000' }],
    ['Ger', { kind: 'several', by: 'name', ars: ['160520000000', '160765555555'] }],
    ['Gera*', { kind: 'several', by: 'name', ars: ['160520000000', '160765555555'] }],
    ['grossbr', { kind: 'one', by: 'name', ars: '160700058058' }],
    ['9870*', { kind: 'several', by: 'postal code', ars: ['160700058058', '160700052052'] }],
    ['Atlantis', { kind: 'none', by: 'name', reason: 'no municipality\'s name is or starts with "Atlantis"' }],
    ['Atl*', { kind: 'none', by: 'name', reason: 'nothing matches "Atl*"' }],
    ['  ', { kind: 'none', by: undefined, reason: 'the place is empty' }],
  ])('%j', (input, expected) => {
    expect(summary(findPlace(search, input))).toEqual(expected);
  });
});
