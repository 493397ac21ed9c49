import { negotiateLanguage } from '../../src/http/language';

describe('negotiateLanguage', () => {
  it.each([
    [undefined, 'de'],
    ['', 'de'],
    ['en', 'en'],
    ['de', 'de'],
    ['EN', 'en'],
    ['en-GB,en;q=0.9', 'en'],
    ['en-US', 'en'],
    ['de-DE,de;q=0.9,en;q=0.8', 'de'],
    ['fr, en;q=0.5', 'en'],
    ['fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7', 'en'],
    ['de;q=0.5, en;q=0.8', 'en'],
    ['en;q=0.8, de;q=0.5', 'en'],
    ['en;q=0.8, de;q=0.8', 'de'],
    ['en, de', 'de'],
    ['fr', 'de'],
    ['fr, es, it', 'de'],
    ['en;q=0', 'de'],
    ['en;q=0.0', 'de'],
    ['en;q=0, de;q=0', 'de'],
    ['de;q=0, en;q=0.1', 'en'],
    ['en; q=0.5', 'en'],
    ['en ;q=0.5', 'en'],
    ['en;level=1;q=0.4', 'en'],
    ['*', 'de'],
  ] as const)('%j -> %s', (header, expected) => {
    expect(negotiateLanguage(header)).toBe(expected);
  });

  it.each([
    ',,,;;;',
    ';q=1',
    'q=1',
    'en;q=abc',
    'en;q=',
    'en;q=-1',
    'en;q=Infinity',
    'english',
    'enx',
    'en_GB',
    '\u0000\u0001',
    'x'.repeat(10_000),
  ])('falls back to German for garbage %j', (header) => {
    expect(negotiateLanguage(header)).toBe('de');
  });

  it('ignores garbage parts and still finds English', () => {
    expect(negotiateLanguage(';;, en;q=0.3, ???;q=1')).toBe('en');
  });
});
