import { createAreaIndex } from '../../src/routing-api/area-index';
import { foldPlain } from '../../src/routing/name-folding';
import { wordGlobs } from '../../src/routing/word-glob';
import { createMunicipalitySearch, foldName } from '../../src/routing/municipality-search';
import type { Tenant } from '../../src/routing/tenant';

// As the index folds names: both ways.
const matches = (term: string, name: string) => wordGlobs(term).some((g) => g.matches(foldName(name)) || g.matches(foldPlain(name)));

describe('area search terms (word globs)', () => {
  test.each<[string, string]>([
    ['Erfurt', 'Erfurt'],
    ['Erf*', 'Erfurt'],
    ['Mag*', 'Bad Magstadt'],
    ['*bach', 'Steinbach-Hallenberg'],
    ['hainich', 'Berka v. d. Hainich'],
    ['Bad *Berka', 'Bad Berka'],
    ['Berka v*', 'Berka v. d. Hainich'],
    ['Weissbach', 'Weißbach'],
    ['Goessnitz', 'Gößnitz'],
    ['Gossnitz', 'Gößnitz'],
    ['*furt*', 'Erfurt'],
    ['Er*rt', 'Erfurt'],
  ])('%j matches %j', (term, name) => {
    expect(matches(term, name)).toBe(true);
  });

  test.each<[string, string]>([
    ['Erf', 'Erfurt'],
    ['furt', 'Erfurt'],
    ['*bach', 'Bachstedt'],
    ['Berka d', 'Berka v. d. Hainich'],
    ['Er*xt', 'Erfurt'],
    ['Jena', 'Erfurt'],
  ])('%j does not match %j', (term, name) => {
    expect(matches(term, name)).toBe(false);
  });
});

const tenant: Tenant = {
  id: 'thueringen',
  name: { de: 'Thüringen' },
  regions: ['16'],
  links: { imprintUrl: 'https://example.org/i', privacyUrl: 'https://example.org/p', accessibilityUrl: 'https://example.org/a' },
  districts: [
    { ars: '16051', name: 'Erfurt', kind: 41 },
    { ars: '16063', name: 'Wartburgkreis', kind: 44 },
    { ars: '16070', name: 'Ilm-Kreis', kind: 44 },
  ],
  associations: [
    { ars: '160510000', name: 'Erfurt, Stadt', kind: 50 },
    { ars: '160635006', name: 'Hainich-Werratal', kind: 54 },
    { ars: '160705013', name: 'Geratal', kind: 58 },
  ],
  municipalities: [
    { ars: '160510000000', name: 'Erfurt', officialName: 'Erfurt, Stadt', postalCodes: ['99084', '99085'] },
    { ars: '160635006006', name: 'Berka v. d. Hainich', postalCodes: ['99826'] },
    { ars: '160635006003', name: 'Bischofroda', postalCodes: ['99826'] },
    { ars: '160700004004', name: 'Arnstadt', officialName: 'Arnstadt, Stadt', postalCodes: ['99310'] },
    { ars: '160705013088', name: 'Geratal', postalCodes: ['99330'] },
  ],
  authorities: [],
};

describe('the area index', () => {
  const index = createAreaIndex([tenant], createMunicipalitySearch([tenant]));
  const found = (...terms: string[]) => index.search(terms).map((a) => `${a.id} ${a.name} (${a.type})`);

  test('lists the Land, districts, associations and municipalities with FIT-Connect-style types', () => {
    expect(found('Thüringen')).toEqual(['16 Thüringen (Bundesland)']);
    expect(found('Thueringen')).toEqual(['16 Thüringen (Bundesland)']);
    expect(found('Ilm*')).toEqual(['16070 Ilm-Kreis (Landkreis)']);
    expect(found('*kreis')).toEqual(['16070 Ilm-Kreis (Landkreis)', '16063 Wartburgkreis (Landkreis)']);
    expect(found('Hainich*')).toEqual(['160635006006 Berka v. d. Hainich (Gemeinde)', '160635006 Hainich-Werratal (Verwaltungsgemeinschaft)']);
    expect(found('Arnstadt')).toEqual(['160700004004 Arnstadt (Stadt)']);
    expect(found('Geratal')).toEqual(['160705013 Geratal (Erfüllende Gemeinde)', '160705013088 Geratal (Gemeinde)']);
  });

  test('a kreisfreie Stadt and a verbandsfreie Gemeinde appear once, as the municipality', () => {
    expect(found('Erfurt')).toEqual(['160510000000 Erfurt (Kreisfreie Stadt)']);
    expect(found('Erfurt, Stadt')).toEqual(['160510000000 Erfurt (Kreisfreie Stadt)']);
  });

  test('postal codes and patterns find municipalities; all terms must match', () => {
    expect(found('99826')).toEqual(['160635006006 Berka v. d. Hainich (Gemeinde)', '160635006003 Bischofroda (Gemeinde)']);
    expect(found('993*')).toEqual(['160700004004 Arnstadt (Stadt)', '160705013088 Geratal (Gemeinde)']);
    expect(found('99826', 'Bisch*')).toEqual(['160635006003 Bischofroda (Gemeinde)']);
    expect(found('99826', 'Erfurt')).toEqual([]);
  });

  test('byId knows every listed area and nothing else', () => {
    expect(index.byId('160635006')).toEqual({ id: '160635006', name: 'Hainich-Werratal', type: 'Verwaltungsgemeinschaft' });
    expect(index.byId('16')?.type).toBe('Bundesland');
    expect(index.byId('16051')).toBeUndefined();
    expect(index.byId('160510000')).toBeUndefined();
    expect(index.byId('999')).toBeUndefined();
  });
});
