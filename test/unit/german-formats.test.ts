import { GERMAN_FORMATS, isAgs, isArs, isGermanPostalCode, isIban } from '../../src/forms/german-formats';

/**
 * Independent ISO 13616 / ISO 7064 MOD 97-10 computation with BigInt, so valid IBANs for other
 * countries are derived here rather than copied from the implementation under test.
 */
function ibanNumber(text: string): bigint {
  const digits = [...text].map((c) => (/[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c)).join('');
  return BigInt(digits);
}

function withCheckDigits(country: string, bban: string): string {
  const check = 98n - (ibanNumber(`${bban}${country}00`) % 97n);
  return `${country}${check.toString().padStart(2, '0')}${bban}`;
}

describe('isIban', () => {
  it.each([
    'DE89370400440532013000',
    'DE02120300000000202051',
  ])('accepts the valid German IBAN %s', (iban) => {
    expect(isIban(iban)).toBe(true);
  });

  it('accepts an Austrian IBAN (20 characters) whose check digits are computed independently', () => {
    const iban = withCheckDigits('AT', '1904300234573201');
    expect(iban).toBe('AT611904300234573201');
    expect(iban).toHaveLength(20);
    expect(isIban(iban)).toBe(true);
  });

  it('accepts a Dutch IBAN with letters in the BBAN (18 characters)', () => {
    const iban = withCheckDigits('NL', 'ABNA0417164300');
    expect(iban).toBe('NL91ABNA0417164300');
    expect(isIban(iban)).toBe(true);
  });

  it('accepts a valid IBAN of a country without a length entry (general shape only)', () => {
    // Saudi Arabia: not SEPA, so only the shape and the checksum are checked.
    const iban = withCheckDigits('SA', '80000000608010167519');
    expect(iban).toBe('SA0380000000608010167519');
    expect(isIban(iban)).toBe(true);
  });

  it.each([
    ['DE88370400440532013000', 'check digits one lower'],
    ['DE90370400440532013000', 'check digits one higher'],
    ['DE89370400440532013001', 'last account digit one higher'],
    ['DE89370400440532012999', 'account number one lower'],
    ['DE89370400450532013000', 'bank code digit changed by one'],
    ['DE03120300000000202051', 'second example, check digits one higher'],
    ['AT621904300234573201', 'Austrian check digits one higher'],
    ['NL91ABNA0417164301', 'Dutch account digit one higher'],
    ['NL91ABNB0417164300', 'Dutch bank letter one higher'],
  ])('rejects %s (%s)', (iban) => {
    expect(isIban(iban)).toBe(false);
  });

  it('rejects a neighbour swap that mod 97 catches', () => {
    expect(isIban('DE89370400440532031000')).toBe(false);
  });

  it('rejects lower-case input instead of fixing it', () => {
    expect(isIban('de89370400440532013000')).toBe(false);
    expect(isIban('De89370400440532013000')).toBe(false);
    expect(isIban('nl91abna0417164300')).toBe(false);
    expect(isIban('NL91abna0417164300')).toBe(false);
  });

  it('rejects the paper format with spaces and surrounding whitespace', () => {
    expect(isIban('DE89 3704 0044 0532 0130 00')).toBe(false);
    expect(isIban(' DE89370400440532013000')).toBe(false);
    expect(isIban('DE89370400440532013000 ')).toBe(false);
    expect(isIban('DE89370400440532013000\n')).toBe(false);
  });

  it('rejects German IBANs of the wrong length even when the checksum fits', () => {
    // 21 and 23 characters with correct mod-97 check digits: only the length table can refuse them.
    const short = withCheckDigits('DE', '37040044053201300');
    const long = withCheckDigits('DE', '3704004405320130000');
    expect(short).toHaveLength(21);
    expect(long).toHaveLength(23);
    expect(isIban(short)).toBe(false);
    expect(isIban(long)).toBe(false);
    // The same checksum arithmetic at the right length is accepted, so the length is the reason.
    expect(isIban(withCheckDigits('DE', '370400440532013000'))).toBe(true);
  });

  it('rejects an Austrian IBAN with a German length', () => {
    const iban = withCheckDigits('AT', '190430023457320100');
    expect(iban).toHaveLength(22);
    expect(isIban(iban)).toBe(false);
  });

  it.each([
    ['', 'empty'],
    ['DE', 'country only'],
    ['DE89', 'no BBAN'],
    ['89370400440532013000', 'no country'],
    ['D189370400440532013000', 'digit in the country code'],
    ['DEAB370400440532013000', 'letters as check digits'],
    ['DE89-3704-0044-0532-0130-00', 'dashes'],
    ['DE8937040044053201300Ä', 'non-ASCII letter'],
    [`XX00${'1'.repeat(31)}`, 'longer than 34 characters'],
  ])('rejects %j (%s)', (value) => {
    expect(isIban(value)).toBe(false);
  });

  it('is registered as the "iban" format', () => {
    expect(GERMAN_FORMATS.iban).toBe(isIban);
  });

  // ISO 13616 check digits are always 02..98. 99 is congruent to 02 (and 00 to 97, 01 to 98)
  // modulo 97, so a pure mod-97 test also lets through IBANs no bank ever issued.
  it('rejects check digits 99, the mod-97 alias of the valid 02', () => {
    expect(isIban('DE99120300000000202051')).toBe(false);
  });
});

describe('isGermanPostalCode', () => {
  it.each(['01067', '10115', '99084', '98617', '99998'])('accepts %s', (code) => {
    expect(isGermanPostalCode(code)).toBe(true);
  });

  it('keeps the leading zero significant: 01067 is valid, 1067 is not', () => {
    expect(isGermanPostalCode('01067')).toBe(true);
    expect(isGermanPostalCode('1067')).toBe(false);
  });

  it.each([
    ['00000', 'all zeros'],
    ['1234', 'four digits'],
    ['123456', 'six digits'],
    ['', 'empty'],
    [' 01067', 'leading space'],
    ['01067 ', 'trailing space'],
    ['0106a', 'letter'],
    ['D-01067', 'country prefix'],
    ['01 067', 'inner space'],
    ['\u0660\u0661\u0660\u0666\u0667', 'Arabic-Indic digits'],
    ['０１０６７', 'full-width digits'],
  ])('rejects %j (%s)', (code) => {
    expect(isGermanPostalCode(code)).toBe(false);
  });

  it('is registered as "de-postal-code"', () => {
    expect(GERMAN_FORMATS['de-postal-code']).toBe(isGermanPostalCode);
  });
});

describe('isArs (Amtlicher Regionalschlüssel, 12 digits)', () => {
  it.each([
    ['160510000000', 'Erfurt'],
    ['160665050042', 'Meiningen'],
    ['010010000000', 'Flensburg, Land 01'],
  ])('accepts %s (%s)', (ars) => {
    expect(isArs(ars)).toBe(true);
  });

  it.each([
    ['000510000000', 'Land 00'],
    ['170510000000', 'Land 17'],
    ['990510000000', 'Land 99'],
    ['16051000000', '11 digits'],
    ['1605100000000', '13 digits'],
    ['16051000', 'an AGS'],
    ['16051000000a', 'letter'],
    [' 160510000000', 'leading space'],
    ['', 'empty'],
  ])('rejects %j (%s)', (ars) => {
    expect(isArs(ars)).toBe(false);
  });

  it('is registered as "ars"', () => {
    expect(GERMAN_FORMATS.ars).toBe(isArs);
  });
});

describe('isAgs (Amtlicher Gemeindeschlüssel, 8 digits)', () => {
  it.each([
    ['16051000', 'Erfurt'],
    ['16066042', 'Meiningen'],
    ['01001000', 'Flensburg, Land 01'],
  ])('accepts %s (%s)', (ags) => {
    expect(isAgs(ags)).toBe(true);
  });

  it.each([
    ['00051000', 'Land 00'],
    ['17051000', 'Land 17'],
    ['1605100', '7 digits'],
    ['160510000', '9 digits'],
    ['160510000000', 'an ARS'],
    ['1605100x', 'letter'],
    ['', 'empty'],
  ])('rejects %j (%s)', (ags) => {
    expect(isAgs(ags)).toBe(false);
  });

  it('is registered as "ags"', () => {
    expect(GERMAN_FORMATS.ags).toBe(isAgs);
  });
});
