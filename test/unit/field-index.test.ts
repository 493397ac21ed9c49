import { buildFieldIndex } from '../../src/forms/field-index';

describe('buildFieldIndex: properties and titles', () => {
  const schema = {
    type: 'object',
    title: 'Antrag',
    properties: {
      name: { type: 'string', title: 'Name', description: 'Vor- und Nachname' },
      postcode: { type: 'string', format: 'de-postal-code', title: 'PLZ' },
      kind: { enum: ['a', 'b'], title: 'Art' },
      consent: { const: true },
      'a/b': { type: ['string', 'null'] },
    },
  };
  const index = buildFieldIndex(schema);

  it('indexes the root and every property by JSON pointer pattern', () => {
    expect(index.patterns()).toEqual(['', '/name', '/postcode', '/kind', '/consent', '/a~1b']);
    expect(index.get('')?.title).toBe('Antrag');
  });

  it('records title, description, type, format, enum and const', () => {
    const name = index.get('/name');
    expect(name?.title).toBe('Name');
    expect(name?.description).toBe('Vor- und Nachname');
    expect([...(name?.types ?? [])]).toEqual(['string']);
    expect(index.get('/postcode')?.format).toBe('de-postal-code');
    expect(index.get('/kind')?.enumValues).toEqual(['a', 'b']);
    expect(index.get('/kind')?.hasConst).toBe(false);
    expect(index.get('/consent')?.hasConst).toBe(true);
    expect(index.get('/consent')?.constValue).toBe(true);
  });

  it('collects every type of a type list and escapes property names', () => {
    expect([...(index.get('/a~1b')?.types ?? [])].sort()).toEqual(['null', 'string']);
    expect(index.get('/a/b')).toBeUndefined();
  });

  it('returns undefined for unknown patterns', () => {
    expect(index.get('/nothing')).toBeUndefined();
    expect(index.isArray('/nothing')).toBe(false);
  });

  it('records a const of null or false as present', () => {
    const idx = buildFieldIndex({ properties: { a: { const: null }, b: { const: false } } });
    expect(idx.get('/a')?.hasConst).toBe(true);
    expect(idx.get('/a')?.constValue).toBeNull();
    expect(idx.get('/b')?.hasConst).toBe(true);
    expect(idx.get('/b')?.constValue).toBe(false);
  });
});

describe('buildFieldIndex: $ref', () => {
  const schema = {
    $defs: {
      address: {
        type: 'object',
        title: 'Anschrift',
        description: 'from the definition',
        properties: { street: { type: 'string', title: 'Straße' }, city: { type: 'string', title: 'Ort' } },
      },
    },
    properties: {
      home: { $ref: '#/$defs/address', title: 'Wohnanschrift' },
      work: { $ref: '#/$defs/address' },
      other: { $ref: '#/%24defs/address', title: 'Andere' },
    },
  };
  const index = buildFieldIndex(schema);

  it('lets the title next to $ref win over the target title', () => {
    expect(index.get('/home')?.title).toBe('Wohnanschrift');
  });

  it('takes the target title when there is no sibling title', () => {
    expect(index.get('/work')?.title).toBe('Anschrift');
  });

  it('fills fields the sibling leaves open from the target', () => {
    expect(index.get('/home')?.description).toBe('from the definition');
    expect(index.get('/home')?.types.has('object')).toBe(true);
  });

  it('indexes the target properties below each referring field', () => {
    expect(index.get('/home/street')?.title).toBe('Straße');
    expect(index.get('/work/city')?.title).toBe('Ort');
  });

  it('decodes percent-encoded ref fragments', () => {
    expect(index.get('/other')?.title).toBe('Andere');
    expect(index.get('/other/street')?.title).toBe('Straße');
  });

  it('does not index $defs as data fields', () => {
    expect(index.patterns().some((p) => p.startsWith('/$defs') || p.startsWith('/address'))).toBe(false);
  });

  it('ignores remote refs, anchors and refs to nothing', () => {
    const idx = buildFieldIndex({
      properties: {
        remote: { $ref: 'https://example.org/schema.json#/x', title: 'R' },
        anchor: { $ref: '#address' },
        missing: { $ref: '#/$defs/nope' },
        notSchema: { $ref: '#/properties/remote/title' },
      },
    });
    expect(idx.get('/remote')?.title).toBe('R');
    expect(idx.get('/anchor')?.title).toBeUndefined();
    expect(idx.get('/missing')).toBeDefined();
    expect(idx.get('/notSchema')?.types.size).toBe(0);
  });

  // The $ref fragment is URI-decoded outside the try that is meant to keep bad fragments from
  // breaking the form load (field-index.ts line 59), so a malformed escape throws a URIError.
  it('ignores a $ref with a malformed percent escape instead of throwing', () => {
    expect(() => buildFieldIndex({ properties: { x: { $ref: '#/%E0%A4%A' } } })).not.toThrow();
  });
});

describe('buildFieldIndex: same-level keywords', () => {
  const schema = {
    type: 'object',
    properties: { kind: { enum: ['person', 'company'], title: 'Art' } },
    allOf: [
      { properties: { email: { type: 'string', format: 'email', title: 'E-Mail' } } },
      {
        if: { properties: { kind: { const: 'company' } } },
        then: { properties: { companyName: { type: 'string', title: 'Firma' } } },
        else: { properties: { birthDate: { type: 'string', format: 'date', title: 'Geburtsdatum' } } },
      },
    ],
    anyOf: [{ properties: { phone: { title: 'Telefon' } } }],
    oneOf: [{ properties: { fax: { title: 'Fax' } } }],
    dependentSchemas: { email: { properties: { emailConsent: { type: 'boolean', title: 'Einwilligung' } } } },
  };
  const index = buildFieldIndex(schema);

  it.each([
    ['/email', 'E-Mail'],
    ['/companyName', 'Firma'],
    ['/birthDate', 'Geburtsdatum'],
    ['/phone', 'Telefon'],
    ['/fax', 'Fax'],
    ['/emailConsent', 'Einwilligung'],
  ])('indexes %s at the level of the schema that holds the keyword', (pattern, title) => {
    expect(index.get(pattern)?.title).toBe(title);
  });

  it('does not add levels for allOf, if, then, else or dependentSchemas', () => {
    expect(index.patterns().filter((p) => /allOf|anyOf|oneOf|if|then|else|dependentSchemas/.test(p))).toEqual([]);
  });

  it('merges what if/then say about a field already declared in properties', () => {
    const kind = index.get('/kind');
    expect(kind?.title).toBe('Art');
    expect(kind?.enumValues).toEqual(['person', 'company']);
    expect(kind?.hasConst).toBe(true);
    expect(kind?.constValue).toBe('company');
  });

  it('keeps the first title: properties come before allOf', () => {
    const idx = buildFieldIndex({
      properties: { a: { title: 'first' } },
      allOf: [{ properties: { a: { title: 'second', description: 'only here' } } }],
    });
    expect(idx.get('/a')?.title).toBe('first');
    expect(idx.get('/a')?.description).toBe('only here');
  });
});

describe('buildFieldIndex: arrays', () => {
  const schema = {
    properties: {
      children: {
        type: 'array',
        title: 'Kinder',
        items: {
          type: 'object',
          title: 'Kind',
          properties: { name: { type: 'string', title: 'Name des Kindes' }, pets: { items: { properties: { species: { title: 'Art' } } } } },
        },
      },
      pair: { prefixItems: [{ type: 'string', title: 'Erstes' }, { type: 'number' }] },
      name: { type: 'string' },
    },
  };
  const index = buildFieldIndex(schema);

  it('indexes items under /*', () => {
    expect(index.get('/children')?.title).toBe('Kinder');
    expect(index.get('/children/*')?.title).toBe('Kind');
    expect(index.get('/children/*/name')?.title).toBe('Name des Kindes');
    expect(index.get('/children/*/pets/*/species')?.title).toBe('Art');
    expect(index.get('/children/0/name')).toBeUndefined();
  });

  it('marks arrays, also those given only by items or prefixItems', () => {
    expect(index.isArray('/children')).toBe(true);
    expect(index.isArray('/children/*/pets')).toBe(true);
    expect(index.isArray('/pair')).toBe(true);
    expect(index.isArray('/name')).toBe(false);
    expect(index.isArray('/children/*')).toBe(false);
  });

  it('merges all prefixItems into one /* field', () => {
    expect(index.get('/pair/*')?.title).toBe('Erstes');
    expect([...(index.get('/pair/*')?.types ?? [])].sort()).toEqual(['number', 'string']);
  });
});

describe('buildFieldIndex: recursive schemas', () => {
  it('terminates on a tree node that references itself', () => {
    const tree = {
      $ref: '#/$defs/node',
      $defs: {
        node: {
          type: 'object',
          title: 'Knoten',
          properties: { label: { type: 'string', title: 'Bezeichnung' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } },
        },
      },
    };
    const index = buildFieldIndex(tree);
    expect(index.get('')?.title).toBe('Knoten');
    expect(index.get('/label')?.title).toBe('Bezeichnung');
    expect(index.isArray('/children')).toBe(true);
    expect(index.patterns().length).toBeLessThan(20);
  });

  it('terminates on a schema whose property refers to the root', () => {
    const index = buildFieldIndex({ title: 'Person', properties: { name: { title: 'Name' }, parent: { $ref: '#' } } });
    expect(index.get('/parent')?.title).toBe('Person');
    expect(index.get('/parent/name')?.title).toBe('Name');
  });

  it('terminates on mutually recursive definitions', () => {
    const index = buildFieldIndex({
      $ref: '#/$defs/a',
      $defs: {
        a: { properties: { b: { $ref: '#/$defs/b' } } },
        b: { properties: { a: { $ref: '#/$defs/a' }, leaf: { title: 'Blatt' } } },
      },
    });
    expect(index.get('/b/leaf')?.title).toBe('Blatt');
    expect(index.patterns().length).toBeLessThan(20);
  });

  it('stops at a very deep schema without overflowing the stack', () => {
    let deep: Record<string, unknown> = { title: 'bottom' };
    for (let i = 0; i < 5_000; i++) deep = { properties: { x: deep } };
    const index = buildFieldIndex(deep);
    expect(index.get('/x')).toBeDefined();
    expect(index.patterns().length).toBeLessThan(100);
  });
});

describe('buildFieldIndex: propertyNames', () => {
  const schema = {
    $defs: { address: { properties: { street: {}, 'a/b': {} } } },
    properties: {
      name: { type: 'string' },
      home: { $ref: '#/$defs/address' },
      work: { $ref: '#/$defs/address' },
      children: { items: { properties: { name: {} } } },
    },
    allOf: [{ if: { properties: { name: { const: 'x' } } }, then: { properties: { extra: {} } } }],
  };
  const index = buildFieldIndex(schema);

  it('lists every declaration with the schema pointer declaring it, each once', () => {
    expect(index.propertyNames).toEqual([
      { name: 'name', schemaPointer: '/properties/name' },
      { name: 'home', schemaPointer: '/properties/home' },
      { name: 'street', schemaPointer: '/$defs/address/properties/street' },
      { name: 'a/b', schemaPointer: '/$defs/address/properties/a~1b' },
      { name: 'work', schemaPointer: '/properties/work' },
      { name: 'children', schemaPointer: '/properties/children' },
      { name: 'name', schemaPointer: '/properties/children/items/properties/name' },
      { name: 'name', schemaPointer: '/allOf/0/if/properties/name' },
      { name: 'extra', schemaPointer: '/allOf/0/then/properties/extra' },
    ]);
  });
});

describe('buildFieldIndex: rank', () => {
  const schema = {
    properties: {
      b: { type: 'string' },
      a: { $ref: '#/$defs/pair' },
      list: { items: { properties: { z: {}, y: {} } } },
    },
    then: { properties: { late: {} } },
    $defs: { pair: { properties: { second: {}, first: {} } } },
  };
  const index = buildFieldIndex(schema);

  it('follows the order in which the schema declares fields, depth first', () => {
    const ordered = ['', '/b', '/a', '/a/second', '/a/first', '/list', '/list/*', '/list/*/z', '/list/*/y', '/late'];
    expect(index.patterns()).toEqual(ordered);
    expect(ordered.map((p) => index.rank(p))).toEqual(ordered.map((_p, i) => i));
  });

  it('sorts fields into schema order, unknown ones last', () => {
    const sorted = ['/late', '/unknown', '/a/first', '/b'].sort((x, y) => index.rank(x) - index.rank(y));
    expect(sorted).toEqual(['/b', '/a/first', '/late', '/unknown']);
    expect(index.rank('/unknown')).toBe(Number.MAX_SAFE_INTEGER);
  });
});

test('a property declared as `true` is a field with its place in schema order', () => {
  const index = buildFieldIndex({ properties: { a: true, b: { type: 'string' } } });
  expect(index.get('/a')).toBeDefined();
  expect(index.rank('/a')).toBeLessThan(index.rank('/b'));
});

describe('limits known before ajv runs', () => {
  test('maxLength and maxItems that always apply; formats imply a length', () => {
    const index = buildFieldIndex({
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 100, allOf: [{ maxLength: 50 }] },
        plz: { type: 'string', format: 'de-postal-code' },
        tag: { type: 'string', format: 'date', maxLength: 20 },
        frei: { type: 'string', anyOf: [{ maxLength: 5 }, { maxLength: 500 }] },
        liste: { type: 'array', maxItems: 10, items: { type: 'string' } },
      },
    });
    expect(index.get('/name')?.maxLength).toBe(50);
    expect(index.get('/plz')?.maxLength).toBe(5);
    expect(index.get('/tag')?.maxLength).toBe(20);
    expect(index.get('/frei')?.maxLength).toBeUndefined();
    expect(index.get('/liste')?.maxItems).toBe(10);
  });
});
