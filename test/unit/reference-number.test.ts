import {
  REFERENCE_ALPHABET,
  newReferenceNumber,
  normalizeReferenceNumber,
} from '../../src/submissions/reference-number';

const FORMAT = /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]$/;

/** A deterministic source that returns the given alphabet indices in turn. */
function sequence(indices: readonly number[]): (max: number) => number {
  let next = 0;
  return () => {
    const value = indices[next % indices.length];
    next++;
    if (value === undefined) throw new Error('empty sequence');
    return value;
  };
}

/** Canonical number → its 9 characters without dashes. */
function compact(reference: string): string {
  return reference.replace(/-/g, '');
}

function format(chars: string): string {
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

describe('REFERENCE_ALPHABET', () => {
  it('has 32 distinct characters', () => {
    expect(REFERENCE_ALPHABET).toHaveLength(32);
    expect(new Set(REFERENCE_ALPHABET).size).toBe(32);
  });

  it.each(['0', 'O', '1', 'I'])('excludes the easily confused %s', (c) => {
    expect(REFERENCE_ALPHABET).not.toContain(c);
  });

  it('holds only upper-case ASCII letters and digits', () => {
    expect(REFERENCE_ALPHABET).toMatch(/^[A-Z2-9]+$/);
  });
});

describe('newReferenceNumber', () => {
  it('has the shape XXXX-XXXX-C over the alphabet', () => {
    for (let i = 0; i < 200; i++) expect(newReferenceNumber()).toMatch(FORMAT);
  });

  it('asks the random source 8 times for an index below 32', () => {
    const calls: number[] = [];
    newReferenceNumber((max) => {
      calls.push(max);
      return 0;
    });
    expect(calls).toEqual([32, 32, 32, 32, 32, 32, 32, 32]);
  });

  // Check characters worked out by hand (Luhn mod 32, doubling from the right-most body character).
  it.each([
    [[0], '2222-2222-2'], // every code 0: sum 0, check index 0
    [[1, 0, 0, 0, 0, 0, 0, 0], '3222-2222-Z'], // code 1 at factor 1: sum 1, check index 31
    [[0, 0, 0, 0, 0, 0, 0, 1], '2222-2223-Y'], // code 1 at factor 2: sum 2, check index 30
    [[0, 0, 0, 0, 0, 0, 0, 16], '2222-222J-Z'], // 2*16 = 32 -> 1 + 0: sum 1, check index 31
    [[0, 0, 0, 0, 0, 0, 0, 31], '2222-222Z-3'], // 2*31 = 62 -> 1 + 30 = 31: check index 1 = '3'
  ])('maps random indices %j to %s', (indices, expected) => {
    expect(newReferenceNumber(sequence(indices))).toBe(expected);
  });

  it('puts the drawn characters in order into the body', () => {
    const reference = newReferenceNumber(sequence([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(reference.slice(0, 9)).toBe('3456-789A');
  });

  it('produces 10,000 distinct numbers that all normalize to themselves', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const reference = newReferenceNumber();
      expect(normalizeReferenceNumber(reference)).toBe(reference);
      seen.add(reference);
    }
    expect(seen.size).toBe(10_000);
  });
});

describe('normalizeReferenceNumber', () => {
  const valid = '3222-2222-Z';
  const generated = newReferenceNumber(sequence([7, 19, 3, 30, 12, 0, 25, 9]));

  it('accepts the canonical form', () => {
    expect(normalizeReferenceNumber(valid)).toBe(valid);
  });

  it.each([
    ['lower case', (r: string) => r.toLowerCase()],
    ['no dashes', (r: string) => compact(r)],
    ['lower case without dashes', (r: string) => compact(r).toLowerCase()],
    ['spaces instead of dashes', (r: string) => r.replace(/-/g, ' ')],
    ['surrounding whitespace', (r: string) => `  ${r}\t\n`],
    ['spaces between every character', (r: string) => [...compact(r)].join(' ')],
    ['extra dashes', (r: string) => [...compact(r)].join('-')],
  ])('accepts %s and returns the canonical form', (_label, typed) => {
    expect(normalizeReferenceNumber(typed(generated))).toBe(generated);
    expect(normalizeReferenceNumber(typed(valid))).toBe(valid);
  });

  it.each([
    ['', 'empty'],
    ['3222-2222', 'no check character'],
    ['3222-2222-ZZ', 'one character too many'],
    ['3222-222-Z', 'one character too few'],
    ['3222_2222_Z', 'underscores'],
    ['3222.2222.Z', 'dots'],
    ['3222-2222-0', 'zero as check character'],
    ['O222-2222-2', 'letter O'],
    ['0222-2222-2', 'digit 0'],
    ['1222-2222-2', 'digit 1'],
    ['I222-2222-2', 'letter I'],
    ['Ä222-2222-2', 'umlaut'],
  ])('rejects %j (%s)', (input) => {
    expect(normalizeReferenceNumber(input)).toBeUndefined();
  });

  it('rejects a number whose check character does not fit', () => {
    expect(normalizeReferenceNumber('3222-2222-Y')).toBeUndefined();
    expect(normalizeReferenceNumber('2222-2222-3')).toBeUndefined();
  });

  it('rejects every single-character substitution of several valid numbers (exhaustive over the alphabet)', () => {
    const numbers = [
      '2222-2222-2',
      '2222-222Z-3',
      generated,
      ...Array.from({ length: 20 }, () => newReferenceNumber()),
    ];
    let tried = 0;
    for (const reference of numbers) {
      const chars = compact(reference);
      expect(normalizeReferenceNumber(reference)).toBe(reference);
      for (let position = 0; position < chars.length; position++) {
        for (const replacement of REFERENCE_ALPHABET) {
          if (replacement === chars[position]) continue;
          const typo = format(chars.slice(0, position) + replacement + chars.slice(position + 1));
          tried++;
          if (normalizeReferenceNumber(typo) !== undefined) {
            throw new Error(`${typo} (from ${reference}, position ${position}) was accepted`);
          }
        }
      }
    }
    expect(tried).toBe(numbers.length * 9 * 31);
  });

  it('rejects more than 90 % of swaps of two different neighbouring characters', () => {
    let swaps = 0;
    let caught = 0;
    for (let n = 0; n < 2_000; n++) {
      const chars = compact(newReferenceNumber());
      // Positions 0..7 swap with their right neighbour, including body/check character.
      for (let i = 0; i < chars.length - 1; i++) {
        const a = chars.charAt(i);
        const b = chars.charAt(i + 1);
        if (a === b) continue;
        swaps++;
        if (normalizeReferenceNumber(format(chars.slice(0, i) + b + a + chars.slice(i + 2))) === undefined) caught++;
      }
    }
    expect(swaps).toBeGreaterThan(10_000);
    expect(caught / swaps).toBeGreaterThan(0.9);
  });
});
