import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeText, splitLines } from '../../src/directory/decode';
import { parseGv100ad, readGv100ad } from '../../src/directory/gv100ad';
import { problemsOf } from '../support/input-problems';

/** The GV100AD parser on the hand-written fixture (test/fixtures/gv100ad/README.md). */
const FIXTURE = path.join(__dirname, '..', 'fixtures', 'gv100ad', 'small-directory.txt');
const utf8 = readFileSync(FIXTURE);
const fixtureLines = splitLines(utf8.toString('utf8'));

/** The same text as older Destatis files come: ISO-8859-1 with CRLF. */
function latin1Crlf(text: string): Buffer {
  return Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1');
}

/** The fixture with line `n` (1-based) replaced. */
function withLine(n: number, line: string): string {
  return fixtureLines.map((l, i) => (i === n - 1 ? line : l)).join('\n');
}

/** A line with characters from 1-based position `from` on replaced by `text`. */
function overwrite(line: string, from: number, text: string): string {
  return line.slice(0, from - 1) + text + line.slice(from - 1 + text.length);
}

describe('GV100AD parser', () => {
  const directory = readGv100ad(utf8, 'small-directory.txt');

  test('reads districts (40), associations (50) and municipalities (60); skips the Land records (10)', () => {
    expect(directory).toMatchObject({ encoding: 'UTF-8', gebietsstand: '2020-12-31', lines: 15 });
    expect(directory.districts.map((d) => [d.ars, d.name, d.kind])).toEqual([
      ['16051', 'Erfurt, Stadt', 41],
      ['16063', 'Wartburgkreis', 44],
      ['15001', 'Dessau-Roßlau, Stadt', 41],
    ]);
    expect(directory.associations.map((a) => [a.ars, a.name, a.kind])).toEqual([
      ['160510000', 'Erfurt, Stadt', 50],
      ['160635006', 'Hainich-Werratal', 54],
      ['160635058', 'Musterstadt, Stadt', 58],
      ['150010000', 'Dessau-Roßlau, Stadt', 50],
    ]);
    expect(directory.municipalities).toHaveLength(6);
  });

  test('composes AGS (positions 11–18) and ARS (11–15 + 19–22 + 16–18)', () => {
    const byName = new Map(directory.municipalities.map((m) => [m.name, m]));
    expect(byName.get('Erfurt, Stadt')).toEqual({
      line: 4, ags: '16051000', ars: '160510000000', name: 'Erfurt, Stadt', kind: 61,
      areaHectares: 26000, population: 210000, postalCode: '99084', severalPostalCodes: true,
    });
    expect(byName.get('Berka v. d. Hainich')).toMatchObject({ ags: '16063006', ars: '160635006006', population: 700, postalCode: '99826', severalPostalCodes: false });
    expect(byName.get('Musterstadt, Kurort, Stadt')).toMatchObject({ ags: '16063902', ars: '160635058902' });
  });

  test('a blank postal code of the seat is no postal code, not an error', () => {
    const beispielsee = directory.municipalities.find((m) => m.name === 'Beispielsee');
    expect(beispielsee).toBeDefined();
    expect(beispielsee).not.toHaveProperty('postalCode');
  });

  test('reads ISO-8859-1 with CRLF (older years) to the same records', () => {
    const old = readGv100ad(latin1Crlf(utf8.toString('utf8')), 'small-directory.txt');
    expect(old.encoding).toBe('ISO-8859-1');
    expect({ ...old, encoding: 'UTF-8' }).toEqual(directory);
    expect(old.municipalities.map((m) => m.name)).toContain('Großübungsdorf');
  });

  test('reads UTF-8 with CRLF, a byte-order mark, trailing blanks cut off and more columns after 175', () => {
    const variants = fixtureLines.map((line, i) => (i % 3 === 0 ? line.trimEnd() : i % 3 === 1 ? `${line}EXTRA 2021` : line));
    const text = `\uFEFF${variants.join('\r\n')}\r\n`;
    const read = readGv100ad(Buffer.from(text, 'utf8'), 'small-directory.txt');
    expect(read.encoding).toBe('UTF-8');
    expect(read).toEqual(directory);
  });

  test('positions count characters, not bytes: an umlaut before the Textkennzeichen does not shift it', () => {
    const grossuebungsdorf = directory.municipalities.find((m) => m.ags === '16063901');
    expect(grossuebungsdorf).toMatchObject({ name: 'Großübungsdorf', kind: 64, population: 1234 });
  });

  describe('a line that does not fit the layout stops the parse with file:line: reason', () => {
    const erfurt = fixtureLines[3]!;
    test.each([
      ['letters in the population', 4, overwrite(erfurt, 140, '0000021x000'), 'population (positions 140–150) is "0000021x000", expected a number'],
      ['an unknown Satzart', 4, overwrite(erfurt, 1, '70'), 'Satzart (positions 1–2) is "70", expected one of 10, 20, 30, 40, 50, 60'],
      ['a line cut short', 4, erfurt.slice(0, 150), 'is 150 characters long; a Satzart 60 record has at least 170'],
      ['a Textkennzeichen of another Satzart', 2, overwrite(fixtureLines[1]!, 123, '61'), 'Textkennzeichen (positions 123–124) is "61", expected 41–45 for Satzart 40'],
      ['a key with a blank', 7, overwrite(fixtureLines[6]!, 16, '0 6'), 'Gemeinde (positions 16–18) is "0 6", expected 3 digits'],
      ['a date that is none', 4, overwrite(erfurt, 3, '20201331'), 'Gebietsstand (positions 3–10) is "20201331", expected a date YYYYMMDD'],
      ['a blank name', 5, overwrite(fixtureLines[4]!, 23, ' '.repeat(50)), 'name (positions 23–72) is blank'],
      ['a postal code with a letter', 4, overwrite(erfurt, 166, '9908A'), 'postal code (positions 166–170) is "9908A", expected 5 digits or blank'],
      ['a mark that is not *****', 4, overwrite(erfurt, 171, '**   '), 'several-postal-codes mark (positions 171–175) is "**   ", expected "*****" or blank'],
      ['another Gebietsstand', 7, overwrite(fixtureLines[6]!, 3, '20210630'), 'Gebietsstand 20210630 differs from 20201231 of line 1: one file, one directory'],
      ['a key twice', 8, overwrite(fixtureLines[7]!, 16, '006'), 'municipality ARS 160635006006 is already at line 7'],
      // A binary file given by mistake: its bytes are escaped, never sent to the terminal as they are.
      ['control characters', 4, overwrite(erfurt, 1, '\u001b['), 'Satzart (positions 1–2) is "\\u001b[", expected one of 10, 20, 30, 40, 50, 60'],
      ['C1 control characters (Latin-1 bytes 0x80–0x9F)', 4, overwrite(erfurt, 11, '\u009b\u007f'), 'Land (positions 11–12) is "\\u009b\\u007f", expected 2 digits'],
    ])('%s', (_what, lineNumber, line, reason) => {
      expect(problemsOf(() => parseGv100ad(withLine(lineNumber, line), 'dir.txt'))).toEqual([`dir.txt:${lineNumber}: ${reason}`]);
    });

    test('the line number counts every line, CRLF or not, blank lines included', () => {
      const text = [...fixtureLines.slice(0, 5), '', overwrite(fixtureLines[5]!, 123, '59'), ...fixtureLines.slice(6)].join('\r\n');
      expect(problemsOf(() => readGv100ad(latin1Crlf(text), 'dir.txt'))).toEqual(['dir.txt:7: Textkennzeichen (positions 123–124) is "59", expected 50–58 for Satzart 50']);
    });

    test('every malformed line is reported, up to 20, then how many more', () => {
      const broken = Array.from({ length: 25 }, () => overwrite(fixtureLines[3]!, 1, 'XX'));
      const problems = problemsOf(() => parseGv100ad(broken.join('\n'), 'dir.txt'));
      expect(problems).toHaveLength(21);
      expect(problems[19]).toMatch(/^dir\.txt:20: Satzart/);
      expect(problems[20]).toBe('dir.txt: 5 more lines do not fit either');
    });

    test('a file without records is no directory', () => {
      expect(problemsOf(() => parseGv100ad('\n\n', 'empty.txt'))).toEqual(['empty.txt: contains no records']);
    });
  });
});

describe('decoding', () => {
  test('valid UTF-8 is UTF-8; anything else is ISO-8859-1, byte for byte', () => {
    expect(decodeText(Buffer.from('Thüringen', 'utf8'))).toEqual({ text: 'Thüringen', encoding: 'UTF-8' });
    expect(decodeText(Buffer.from('Thüringen', 'latin1'))).toEqual({ text: 'Thüringen', encoding: 'ISO-8859-1' });
    // 0x80–0x9F are control characters in ISO-8859-1 (windows-1252 would make 0x80 a euro sign).
    expect(decodeText(Uint8Array.from([0x80, 0xfc])).text).toBe('\u0080ü');
  });

  test('lines end at LF or CRLF; the last line break opens no line of its own', () => {
    expect(splitLines('a\r\nb\nc\r\n')).toEqual(['a', 'b', 'c']);
    expect(splitLines('a\n\nb')).toEqual(['a', '', 'b']);
  });
});
