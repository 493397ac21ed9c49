import { MAX_DEPTH, findUnsafeInput, hasUnsafeCharacters, isXmlElementName } from '../../src/forms/unsafe-input';
import { normalizeText } from '../../src/forms/normalize-answers';

const KEY_DE = 'Diese Angabe gehört nicht zu diesem Formular. Bitte entfernen Sie sie.';
const KEY_EN = 'This entry is not part of this form. Please remove it.';

/** n levels of {a: ...} around a leaf. */
function nested(levels: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe('isXmlElementName', () => {
  it.each(['name', 'Name', '_intern', 'a1', 'a.b', 'a-b', 'a_b', 'straße', 'Größe', 'imię', 'ΑΒΓ', 'имя', '名前', 'a·b', 'xm', 'XMa'])(
    'accepts %j',
    (name) => {
      expect(isXmlElementName(name)).toBe(true);
    },
  );

  it.each([
    ['1abc', 'starts with a digit'],
    ['-abc', 'starts with a dash'],
    ['.abc', 'starts with a dot'],
    ['a b', 'contains a space'],
    ['a:b', 'contains a colon (not an NCName)'],
    ['a/b', 'contains a slash'],
    ['a<b', 'contains <'],
    ['a&b', 'contains &'],
    ['', 'empty'],
    ['xmlFoo', 'starts with xml'],
    ['XMLFoo', 'starts with XML'],
    ['Xml', 'is Xml'],
    ['xml', 'is xml'],
    ['🐕', 'emoji'],
    ['a\u0000', 'control character'],
  ])('rejects %j (%s)', (name) => {
    expect(isXmlElementName(name)).toBe(false);
  });
});

describe('hasUnsafeCharacters', () => {
  it.each([
    ['\u0000', 'NUL'],
    ['\u0007', 'BEL'],
    ['\u0008', 'backspace'],
    ['\u000B', 'vertical tab'],
    ['\u000C', 'form feed'],
    ['\u001B', 'ESC'],
    ['\u001F', 'unit separator'],
    ['\u007F', 'DEL'],
    ['\u0085', 'NEL (C1)'],
    ['\u009F', 'last C1 control'],
    ['\uD800', 'lone high surrogate'],
    ['\uDFFF', 'lone low surrogate'],
    ['a\uD800b', 'lone high surrogate between letters'],
    ['\uDC15\uD83D', 'surrogates in the wrong order'],
    ['\uD83D\uD83D\uDC15', 'high surrogate followed by a complete pair'],
    ['\uFFFE', 'U+FFFE'],
    ['\uFFFF', 'U+FFFF'],
  ])('finds %j (%s)', (char) => {
    expect(hasUnsafeCharacters(char)).toBe(true);
    expect(hasUnsafeCharacters(`Müller${char}straße`)).toBe(true);
  });

  it.each([
    ['\t', 'tab'],
    ['\n', 'newline'],
    ['\r', 'carriage return'],
    ['\r\n', 'CRLF'],
    ['🐕', 'emoji (surrogate pair)'],
    ['👩‍👧', 'emoji ZWJ sequence'],
    ['Größe, Äpfel, Übung, ß', 'umlauts'],
    ['Łukasz Żółć', 'Polish letters'],
    ['\u00A0', 'no-break space'],
    ['\u00A0€', 'no-break space and euro'],
    ['', 'empty string'],
    ['\uFFFD', 'replacement character'],
  ])('allows %j (%s)', (text) => {
    expect(hasUnsafeCharacters(text)).toBe(false);
  });

  it('gives the same answer when called repeatedly (no regex state)', () => {
    expect([1, 2, 3].map(() => hasUnsafeCharacters('a\u0000'))).toEqual([true, true, true]);
  });
});

describe('findUnsafeInput', () => {
  it('returns no errors for ordinary answers', () => {
    const data = {
      name: 'Łukasz Żółć',
      anschrift: { straße: 'Hauptstraße 1', plz: '01067', ort: 'Dresden' },
      bemerkung: 'Zeile 1\r\nZeile 2\tmit Tab 🐕',
      kinder: [{ name: 'Ida', alter: 3 }, { name: 'Emil', alter: null }],
      zustimmung: true,
    };
    expect(findUnsafeInput(data, 'de')).toEqual([]);
  });

  it('accepts scalars and empty containers at the root', () => {
    for (const value of [null, undefined, 0, true, 'text', [], {}]) expect(findUnsafeInput(value, 'en')).toEqual([]);
  });

  it('reports a control character at the root', () => {
    expect(findUnsafeInput('a\u0007', 'en')).toEqual([{ pointer: '', message: expect.stringContaining('control characters') }]);
  });

  it.each(['\u0000', '\u0007', '\u001B', '\u007F', '\u0085', '\uD800'])(
    'reports %j with the pointer of the field',
    (char) => {
      const errors = findUnsafeInput({ person: { name: `Max${char}` } }, 'de');
      expect(errors).toHaveLength(1);
      expect(errors[0]?.pointer).toBe('/person/name');
    },
  );

  it('gives pointers inside arrays, escaped per RFC 6901', () => {
    const data = {
      kinder: [{ name: 'Ida' }, { name: 'Emil\u0000' }],
      tags: ['ok', 'ok', 'bad\u001B'],
      matrix: [[], ['x', '\u007F']],
    };
    expect(findUnsafeInput(data, 'en').map((e) => e.pointer)).toEqual(['/kinder/1/name', '/tags/2', '/matrix/1/1']);
  });

  it('reports every problem, not just the first', () => {
    const data = { a: '\u0000', b: ['\u0000', 'ok', '\u0000'], c: { d: '\u0000' } };
    expect(findUnsafeInput(data, 'de').map((e) => e.pointer)).toEqual(['/a', '/b/0', '/b/2', '/c/d']);
  });

  describe('forbidden keys', () => {
    it('reports an own __proto__ key (as JSON.parse creates it)', () => {
      const data = JSON.parse('{"name":"ok","__proto__":{"isAdmin":true}}') as unknown;
      expect(Object.keys(data as object)).toContain('__proto__');
      expect(findUnsafeInput(data, 'de')).toEqual([{ pointer: '/__proto__', message: KEY_DE }]);
    });

    it.each(['constructor', 'prototype'])('reports the key %j', (key) => {
      const data = JSON.parse(`{"${key}":{"x":1}}`) as unknown;
      expect(findUnsafeInput(data, 'en')).toEqual([{ pointer: `/${key}`, message: KEY_EN }]);
    });

    it('reports a nested __proto__ key inside an array', () => {
      const data = JSON.parse('{"list":[{"ok":1},{"__proto__":{"polluted":true}}]}') as unknown;
      expect(findUnsafeInput(data, 'en')).toEqual([{ pointer: '/list/1/__proto__', message: KEY_EN }]);
    });

    it('does not look inside a rejected key (one error per bad key)', () => {
      const data = JSON.parse('{"__proto__":{"bad\\u0000":"\\u0000"}}') as unknown;
      expect(findUnsafeInput(data, 'en')).toHaveLength(1);
    });
  });

  describe('keys that are not XML names', () => {
    it.each([
      ['1abc', '/1abc'],
      ['a b', '/a b'],
      ['xmlFoo', '/xmlFoo'],
      ['a/b', '/a~1b'],
      ['m~n', '/m~0n'],
      ['', '/'],
    ])('reports %j at %j', (key, pointer) => {
      expect(findUnsafeInput({ [key]: 'value', ok: 'value' }, 'de')).toEqual([{ pointer, message: KEY_DE }]);
    });
  });

  describe('nesting depth', () => {
    it(`allows ${MAX_DEPTH} levels`, () => {
      expect(MAX_DEPTH).toBe(32);
      expect(findUnsafeInput(nested(MAX_DEPTH, 'leaf'), 'de')).toEqual([]);
    });

    it('reports one error at the first level that is too deep', () => {
      const errors = findUnsafeInput(nested(MAX_DEPTH + 1, 'leaf'), 'en');
      expect(errors).toEqual([{ pointer: '/a'.repeat(MAX_DEPTH + 1), message: 'The answers are nested too deeply.' }]);
    });

    it('counts arrays as levels too', () => {
      let value: unknown = 'leaf';
      for (let i = 0; i < MAX_DEPTH + 1; i++) value = [value];
      const errors = findUnsafeInput(value, 'de');
      expect(errors).toEqual([{ pointer: '/0'.repeat(MAX_DEPTH + 1), message: 'Die Angaben sind zu tief verschachtelt.' }]);
    });

    it('returns an error instead of throwing for 100,000 levels', () => {
      let value: unknown = 'leaf';
      for (let i = 0; i < 100_000; i++) value = [value];
      let errors: unknown;
      expect(() => {
        errors = findUnsafeInput(value, 'en');
      }).not.toThrow();
      expect(errors).toHaveLength(1);
    });
  });

  describe('languages', () => {
    const data = JSON.parse('{"constructor":1,"text":"\\u0000","deep":' + JSON.stringify(nested(MAX_DEPTH, 'x')) + '}') as unknown;

    it('speaks German', () => {
      const messages = findUnsafeInput(data, 'de').map((e) => e.message);
      expect(messages).toEqual([
        KEY_DE,
        'Ihre Angabe enthält unsichtbare Steuerzeichen. Bitte geben Sie den Text erneut ein, ohne ihn aus einer anderen Anwendung einzufügen.',
        'Die Angaben sind zu tief verschachtelt.',
      ]);
    });

    it('speaks English with the same pointers', () => {
      const de = findUnsafeInput(data, 'de');
      const en = findUnsafeInput(data, 'en');
      expect(en.map((e) => e.pointer)).toEqual(de.map((e) => e.pointer));
      expect(en.map((e) => e.message)).toEqual([
        KEY_EN,
        'Your answer contains invisible control characters. Please type the text again instead of pasting it from another application.',
        'The answers are nested too deeply.',
      ]);
    });
  });
});

describe('long runs of combining marks (NFC would take quadratic time)', () => {
  test('more than 30 marks in a row are refused, 30 are fine', () => {
    expect(findUnsafeInput({ name: `a${'\u0301'.repeat(30)}` }, 'de')).toEqual([]);
    expect(findUnsafeInput({ name: `a${'\u0301'.repeat(16)}${'\u0323'.repeat(15)}` }, 'en'))
      .toEqual([{ pointer: '/name', message: expect.stringContaining('too many stacked characters') }]);
  });

  test('a megabyte of marks is refused before normalisation, which leaves it as it is', () => {
    const text = `a${'\u0301'.repeat(250_000)}${'\u0323'.repeat(250_000)}`;
    expect(normalizeText(text)).toBe(text);
    expect(findUnsafeInput({ name: text }, 'de')).toHaveLength(1);
  });
});

describe('normalizeText trims white space but not control characters', () => {
  test.each([
    ['  Anna \u00a0\u3000', 'Anna'],
    ['\r\n\tAnna\n', 'Anna'],
    ['\ufeffAnna', 'Anna'],
    ['Anna\u000c', 'Anna\u000c'],
    ['\u000bAnna', '\u000bAnna'],
    ['Rene\u0301e', 'Ren\u00e9e'],
    ['   ', ''],
  ])('%j → %j', (raw, normalized) => {
    expect(normalizeText(raw)).toBe(normalized);
  });

  test('a control character at the end is refused after normalisation, not trimmed away', () => {
    expect(findUnsafeInput({ name: normalizeText('Anna\u000c') }, 'de')).toHaveLength(1);
  });
});
