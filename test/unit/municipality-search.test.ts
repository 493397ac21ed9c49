import { agsOfArs, createMunicipalitySearch, foldName } from '../../src/routing/municipality-search';
import type { Tenant } from '../../src/routing/tenant';

/** A hand-written tenant with the cases of a whole state's directory. */
const tenant = {
  id: 'probe', name: { de: 'Probe' }, regions: ['16'], authorities: [],
  links: { imprintUrl: 'https://example.org/i', privacyUrl: 'https://example.org/p', accessibilityUrl: 'https://example.org/a' },
  municipalities: [
    { ars: '160510000000', name: 'Erfurt', officialName: 'Erfurt, Stadt', population: 213981, postalCodes: ['99084', '99085', '99086'] },
    { ars: '160770009009', name: 'Gößnitz', officialName: 'Gößnitz, Stadt', postalCodes: ['04639'] },
    { ars: '160745001001', name: 'Weißbach', postalCodes: ['07646'] },
    { ars: '160745001002', name: 'Weißbach b. Schleiz', postalCodes: ['07907'] },
    { ars: '160635006006', name: 'Berka v. d. Hainich', postalCodes: ['99826'] },
    { ars: '160635006013', name: 'Nazza', postalCodes: ['99826'] },
    { ars: '160635006010', name: 'Hallungen', postalCodes: ['99826', '99831'] },
  ],
} as unknown as Tenant;
const search = createMunicipalitySearch([tenant]);
const names = (list: ReadonlyArray<{ municipality: { name: string } }>) => list.map((m) => m.municipality.name);

describe('the municipality search at state scale', () => {
  it('finds every municipality of a postal code, several where one code covers several', () => {
    expect(names(search.search('99826'))).toEqual(['Berka v. d. Hainich', 'Hallungen', 'Nazza']);
    expect(names(search.search('99831'))).toEqual(['Hallungen']);
    expect(names(search.byPostalCode('99826'))).toHaveLength(3);
    // A prefix of 3 or 4 digits narrows down.
    expect(names(search.search('9908'))).toEqual(['Erfurt']);
  });

  it('folds German names: ß as ss, umlauts written out or plain, case and ", Stadt" ignored', () => {
    expect(names(search.search('Weissbach'))).toEqual(['Weißbach', 'Weißbach b. Schleiz']);
    expect(names(search.search('Goessnitz'))).toEqual(['Gößnitz']);
    expect(names(search.search('gossnitz'))).toEqual(['Gößnitz']);
    expect(names(search.search('GÖSSNITZ'))).toEqual(['Gößnitz']);
    expect(names(search.search('Erfurt, Stadt'))).toEqual(['Erfurt']);
    expect(names(search.search('erfurt stadt'))).toEqual(['Erfurt']);
    expect(names(search.search('berka hain'))).toEqual(['Berka v. d. Hainich']);
    expect(search.search('Weimar')).toEqual([]);
    expect(foldName('Gößnitz, Stadt')).toBe('goessnitz stadt');
  });

  it('looks up by ARS and AGS, and by expressions with * wildcards (names or postal codes)', () => {
    expect(search.byArs('160635006006')?.municipality.name).toBe('Berka v. d. Hainich');
    expect(agsOfArs('160635006006')).toBe('16063006');
    expect(search.byAgs('16063006')?.municipality.name).toBe('Berka v. d. Hainich');
    expect(names(search.matchExpression('Weiß*'))).toEqual(['Weißbach', 'Weißbach b. Schleiz']);
    expect(names(search.matchExpression('*bach'))).toEqual(['Weißbach']);
    expect(names(search.matchExpression('erfurt'))).toEqual(['Erfurt']);
    expect(names(search.matchExpression('9983*'))).toEqual(['Hallungen']);
    expect(search.matchExpression('*')).toHaveLength(7);
    expect(search.size).toBe(7);
  });
});
