import { checkAreasQuery, checkRoutesQuery, isSearchTerm, MAX_SEARCH_TERM_LENGTH } from '../../src/routing-api/query-parameters';

/** FIT-Connect's pattern for a search term, as its description writes it (safe on short inputs only). */
const FITKO_TERM = /^(\*?([^*]{2,})\*?)*$/;

describe('search terms', () => {
  test('isSearchTerm accepts exactly what FIT-Connect\'s pattern accepts (every string of up to 7 of "a", " ", "*")', () => {
    const alphabet = ['a', ' ', '*'];
    const differing: string[] = [];
    let strings = [''];
    for (let length = 1; length <= 7; length++) {
      strings = strings.flatMap((s) => alphabet.map((c) => s + c));
      for (const s of strings) if (isSearchTerm(s) !== FITKO_TERM.test(s)) differing.push(JSON.stringify(s));
    }
    expect(differing).toEqual([]);
  });

  test.each(['Erf*', '*bach', 'Bad *Berka', '99084', '990*', '*furt*', 'ab**cd'])('%j is a term', (term) => {
    expect(isSearchTerm(term)).toBe(true);
  });

  test.each(['', '*', '**', 'E*', '*a', '**Erfurt', 'Erfurt**', 'Er***furt'])('%j is none', (term) => {
    expect(isSearchTerm(term)).toBe(false);
  });

  test(`a term is at most ${MAX_SEARCH_TERM_LENGTH} characters (and one that long is checked in linear time)`, () => {
    expect(isSearchTerm('a'.repeat(MAX_SEARCH_TERM_LENGTH))).toBe(true);
    expect(isSearchTerm('a'.repeat(MAX_SEARCH_TERM_LENGTH + 1))).toBe(false);
    // The input that makes the backtracking pattern take exponential time.
    expect(isSearchTerm(`${'ab'.repeat(45)}***`)).toBe(false);
  });
});

describe('checkRoutesQuery', () => {
  const leikaKey = '99036011012000';

  test('takes leikaKey and exactly one area, with the default page', () => {
    expect(checkRoutesQuery({ leikaKey, ars: '160510000000' })).toEqual({ ok: true, value: { leikaKey, area: { ars: '160510000000' }, offset: 0, limit: 100 } });
    expect(checkRoutesQuery({ leikaKey, ags: '16051000', offset: '5', limit: '500' })).toEqual({ ok: true, value: { leikaKey, area: { ags: '16051000' }, offset: 5, limit: 500 } });
    expect(checkRoutesQuery({ leikaKey, areaId: '160635006' })).toEqual({ ok: true, value: { leikaKey, area: { areaId: '160635006' }, offset: 0, limit: 100 } });
  });

  test.each<[Record<string, unknown>, string]>([
    [{ ars: '16' }, 'leikaKey'],
    [{ leikaKey: '9903601101200', ars: '16' }, 'leikaKey'],
    [{ leikaKey: [leikaKey, leikaKey], ars: '16' }, 'leikaKey'],
    [{ leikaKey }, 'ars|ags|areaId'],
    [{ leikaKey, ars: '16', areaId: '16' }, 'ars|ags|areaId'],
    [{ leikaKey, ars: '1605' }, 'ars'],
    [{ leikaKey, ars: '16051000000a' }, 'ars'],
    [{ leikaKey, ags: '160510000' }, 'ags'],
    [{ leikaKey, areaId: 'x' }, 'areaId'],
    [{ leikaKey, areaId: '' }, 'areaId'],
    [{ leikaKey, ars: '16', limit: '0' }, 'limit'],
    [{ leikaKey, ars: '16', limit: '1e2' }, 'limit'],
    [{ leikaKey, ars: '16', offset: '-1' }, 'offset'],
    [{ leikaKey, ars: '16', offset: '2147483648' }, 'offset'],
  ])('refuses %j naming %s', (query, parameter) => {
    expect(checkRoutesQuery(query)).toEqual({ ok: false, parameter });
  });
});

describe('checkAreasQuery', () => {
  test('takes one term or several (the parameter repeated)', () => {
    expect(checkAreasQuery({ areaSearchexpression: 'Erf*' })).toEqual({ ok: true, value: { terms: ['Erf*'], offset: 0, limit: 100 } });
    expect(checkAreasQuery({ areaSearchexpression: ['99826', 'Bisch*'], limit: '1' })).toEqual({ ok: true, value: { terms: ['99826', 'Bisch*'], offset: 0, limit: 1 } });
  });

  test.each<[Record<string, unknown>, string]>([
    [{}, 'areaSearchexpression'],
    [{ areaSearchexpression: [] }, 'areaSearchexpression'],
    [{ areaSearchexpression: Array.from({ length: 11 }, () => 'Erfurt') }, 'areaSearchexpression'],
    [{ areaSearchexpression: ['Erfurt', 'E*'] }, 'areaSearchexpression'],
    [{ areaSearchexpression: 'Erfurt', offset: 'x' }, 'offset'],
  ])('refuses %j naming %s', (query, parameter) => {
    expect(checkAreasQuery(query)).toEqual({ ok: false, parameter });
  });
});
