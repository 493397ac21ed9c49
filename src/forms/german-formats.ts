/**
 * String formats for German administrative data, registered with ajv next to ajv-formats.
 * Each is strict: surrounding spaces or lower-case country codes are errors, not silently fixed,
 * because the value travels unchanged into the authority's XML.
 */

/** Postleitzahl: exactly five digits (the leading zero matters); 00000 is never assigned. */
export function isGermanPostalCode(value: string): boolean {
  return /^[0-9]{5}$/.test(value) && value !== '00000';
}

/** Amtlicher Regionalschlüssel: 12 digits, Land(2) RB(1) Kreis(2) Verband(4) Gemeinde(3). */
export function isArs(value: string): boolean {
  return /^[0-9]{12}$/.test(value) && isLandCode(value.slice(0, 2));
}

/** Amtlicher Gemeindeschlüssel: 8 digits, Land(2) RB(1) Kreis(2) Gemeinde(3). */
export function isAgs(value: string): boolean {
  return /^[0-9]{8}$/.test(value) && isLandCode(value.slice(0, 2));
}

function isLandCode(code: string): boolean {
  const land = Number(code);
  return land >= 1 && land <= 16;
}

const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  DE: 22, AT: 20, CH: 21, LI: 21, LU: 20, NL: 18, BE: 16, FR: 27, IT: 27, ES: 24, PL: 28, CZ: 24,
  DK: 18, SE: 24, NO: 15, FI: 18, IE: 22, PT: 25, GB: 22, SK: 24, SI: 19, HU: 28, HR: 21, RO: 24,
  BG: 22, GR: 27, EE: 20, LV: 21, LT: 20, MT: 31, CY: 28, IS: 26, MC: 27, SM: 27, VA: 22,
};

/**
 * IBAN in electronic format (no spaces, upper case) with a valid ISO 13616 mod-97 checksum.
 * SEPA countries are checked for their exact length; others only for the general shape.
 */
export function isIban(value: string): boolean {
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(value)) return false;
  // Check digits are 02..98; 00, 01 and 99 pass mod 97 as aliases of 97, 98 and 02 but never occur.
  const checkDigits = Number(value.slice(2, 4));
  if (checkDigits < 2 || checkDigits > 98) return false;
  const expected = IBAN_LENGTHS[value.slice(0, 2)];
  if (expected !== undefined && value.length !== expected) return false;
  const rearranged = value.slice(4) + value.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const digits = /[A-Z]/.test(char) ? String(char.charCodeAt(0) - 55) : char;
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

export const GERMAN_FORMATS = {
  'de-postal-code': isGermanPostalCode,
  ars: isArs,
  ags: isAgs,
  iban: isIban,
} as const;
