import {
  escapeToken,
  getAtPointer,
  joinPointer,
  parsePointer,
  toFieldPattern,
  unescapeToken,
} from '../../src/support/json-pointer';

describe('escapeToken / unescapeToken', () => {
  it.each([
    ['a/b', 'a~1b'],
    ['m~n', 'm~0n'],
    ['~1', '~01'],
    ['/~', '~1~0'],
    ['~/', '~0~1'],
    ['plain', 'plain'],
    ['', ''],
    ['Straße', 'Straße'],
  ])('escapes %j as %j and back', (raw, escaped) => {
    expect(escapeToken(raw)).toBe(escaped);
    expect(unescapeToken(escaped)).toBe(raw);
  });

  it('unescapes ~01 to ~1, not to / (order of replacement matters)', () => {
    expect(unescapeToken('~01')).toBe('~1');
    expect(unescapeToken('~10')).toBe('/0');
  });
});

describe('parsePointer', () => {
  it('reads the RFC 6901 examples', () => {
    expect(parsePointer('')).toEqual([]);
    expect(parsePointer('/')).toEqual(['']);
    expect(parsePointer('/foo/0')).toEqual(['foo', '0']);
    expect(parsePointer('/a~1b')).toEqual(['a/b']);
    expect(parsePointer('/m~0n')).toEqual(['m~n']);
    expect(parsePointer('//')).toEqual(['', '']);
  });

  it('throws on a string that does not start with /', () => {
    expect(() => parsePointer('foo')).toThrow('not a JSON pointer: foo');
    expect(() => parsePointer('#/foo')).toThrow(/not a JSON pointer/);
  });
});

describe('joinPointer', () => {
  it('escapes the token and accepts numbers', () => {
    expect(joinPointer('', 'name')).toBe('/name');
    expect(joinPointer('/children', 0)).toBe('/children/0');
    expect(joinPointer('/a', 'x/y~z')).toBe('/a/x~1y~0z');
    expect(parsePointer(joinPointer(joinPointer('', 'a/b'), '~'))).toEqual(['a/b', '~']);
  });
});

describe('getAtPointer', () => {
  // The RFC 6901 section 5 document.
  const rfc = JSON.parse(
    '{"foo":["bar","baz"],"":0,"a/b":1,"c%d":2,"e^f":3,"g|h":4,"i\\\\j":5,"k\\"l":6," ":7,"m~n":8}',
  ) as unknown;

  it.each([
    ['', rfc],
    ['/foo', ['bar', 'baz']],
    ['/foo/0', 'bar'],
    ['/', 0],
    ['/a~1b', 1],
    ['/c%d', 2],
    ['/e^f', 3],
    ['/g|h', 4],
    ['/i\\j', 5],
    ['/k"l', 6],
    ['/ ', 7],
    ['/m~0n', 8],
  ])('reads %j from the RFC 6901 document', (pointer, expected) => {
    expect(getAtPointer(rfc, pointer)).toEqual(expected);
  });

  const data = {
    applicant: { name: 'Käthe', children: [{ name: 'Ida' }, { name: 'Emil', born: null }] },
    flags: [true, false, 0],
  };

  it('walks objects and arrays', () => {
    expect(getAtPointer(data, '/applicant/name')).toBe('Käthe');
    expect(getAtPointer(data, '/applicant/children/1/name')).toBe('Emil');
    expect(getAtPointer(data, '/flags/1')).toBe(false);
    expect(getAtPointer(data, '/flags/2')).toBe(0);
  });

  it('returns null values (present) as null, not undefined', () => {
    expect(getAtPointer(data, '/applicant/children/1/born')).toBeNull();
  });

  it.each([
    ['/applicant/missing', 'missing key'],
    ['/applicant/children/2', 'index past the end'],
    ['/applicant/children/-', '"-" (the append position)'],
    ['/applicant/children/01', 'leading zero index'],
    ['/applicant/children/-1', 'negative index'],
    ['/applicant/children/1.0', 'fractional index'],
    ['/applicant/children/ 1', 'index with a space'],
    ['/applicant/children/length', 'array length'],
    ['/applicant/children/name', 'non-numeric token on an array'],
    ['/applicant/name/0', 'into a string'],
    ['/applicant/name/length', 'string length'],
    ['/applicant/children/1/born/x', 'into null'],
    ['/flags/2/x', 'into a number'],
  ])('returns undefined for %j (%s)', (pointer) => {
    expect(getAtPointer(data, pointer)).toBeUndefined();
  });

  it.each(['/constructor', '/__proto__', '/toString', '/hasOwnProperty', '/valueOf'])(
    'does not read the inherited property %j of an object',
    (pointer) => {
      expect(getAtPointer({}, pointer)).toBeUndefined();
      expect(getAtPointer({ a: {} }, `/a${pointer}`)).toBeUndefined();
    },
  );

  it('does not read inherited properties of arrays', () => {
    expect(getAtPointer([1], '/constructor')).toBeUndefined();
    expect(getAtPointer([1], '/__proto__')).toBeUndefined();
    expect(getAtPointer([1], '/map')).toBeUndefined();
  });

  it('reads own properties named like inherited ones', () => {
    const own = JSON.parse('{"__proto__":{"x":1},"constructor":"own"}') as unknown;
    expect(getAtPointer(own, '/__proto__/x')).toBe(1);
    expect(getAtPointer(own, '/constructor')).toBe('own');
  });

  it('works on objects without a prototype', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.a = 1;
    expect(getAtPointer(bare, '/a')).toBe(1);
    expect(getAtPointer(bare, '/b')).toBeUndefined();
  });

  it('throws on a malformed pointer', () => {
    expect(() => getAtPointer(data, 'applicant')).toThrow(/not a JSON pointer/);
  });
});

describe('toFieldPattern', () => {
  const arrays = new Set(['/children', '/children/*/pets', '/matrix', '/matrix/*']);
  const isArray = (prefix: string): boolean => arrays.has(prefix);

  it('replaces array indices with *', () => {
    expect(toFieldPattern('/children/0/name', isArray)).toBe('/children/*/name');
    expect(toFieldPattern('/children/12/pets/3/species', isArray)).toBe('/children/*/pets/*/species');
    expect(toFieldPattern('/matrix/1/2', isArray)).toBe('/matrix/*/*');
  });

  it('keeps numeric keys of objects', () => {
    expect(toFieldPattern('/codes/0', isArray)).toBe('/codes/0');
    expect(toFieldPattern('/children/0/2024', isArray)).toBe('/children/*/2024');
  });

  it('keeps tokens that are not canonical indices', () => {
    expect(toFieldPattern('/children/01', isArray)).toBe('/children/01');
    expect(toFieldPattern('/children/-', isArray)).toBe('/children/-');
  });

  it('passes the pattern so far (with earlier indices as *) to isArrayIndex', () => {
    const asked: string[] = [];
    toFieldPattern('/children/3/pets/1', (prefix) => {
      asked.push(prefix);
      return isArray(prefix);
    });
    expect(asked).toEqual(['/children', '/children/*/pets']);
  });

  it('keeps escaping intact', () => {
    expect(toFieldPattern('/a~1b/m~0n', isArray)).toBe('/a~1b/m~0n');
    const escaped = new Set(['/a~1b']);
    expect(toFieldPattern('/a~1b/0', (p) => escaped.has(p))).toBe('/a~1b/*');
  });

  it('maps the root pointer to the root pattern', () => {
    expect(toFieldPattern('', isArray)).toBe('');
  });
});
