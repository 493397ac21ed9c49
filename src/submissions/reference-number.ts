import { randomInt } from 'node:crypto';

/**
 * Reference numbers (Vorgangsnummern) citizens read aloud, type and quote on the phone:
 * 8 random characters and 1 check character from an alphabet without 0/O and 1/I,
 * shown as XXXX-XXXX-C. 32^8 ≈ 10^12 values drawn with a CSPRNG: not guessable in sequence.
 * The check character (Luhn mod 32) catches every single mistyped character and most swaps of
 * neighbours, so a typo is reported as "not a reference number" instead of finding nothing.
 */
export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const N = REFERENCE_ALPHABET.length;
const RANDOM_LENGTH = 8;

function checkCharacter(body: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = body.length - 1; i >= 0; i--) {
    const code = REFERENCE_ALPHABET.indexOf(body.charAt(i));
    let addend = factor * code;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / N) + (addend % N);
    sum += addend;
  }
  return REFERENCE_ALPHABET.charAt((N - (sum % N)) % N);
}

export function newReferenceNumber(random: (max: number) => number = randomInt): string {
  let body = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) body += REFERENCE_ALPHABET.charAt(random(N));
  return `${body.slice(0, 4)}-${body.slice(4)}-${checkCharacter(body)}`;
}

/**
 * Reads a reference number as a person may type it (lower case, spaces or no dashes, O for 0 is
 * not guessed) and returns the canonical form, or undefined when it is not a valid one.
 */
export function normalizeReferenceNumber(input: string): string | undefined {
  const compact = input.toUpperCase().replace(/[\s-]/g, '');
  if (compact.length !== RANDOM_LENGTH + 1) return undefined;
  if ([...compact].some((c) => !REFERENCE_ALPHABET.includes(c))) return undefined;
  const body = compact.slice(0, RANDOM_LENGTH);
  if (checkCharacter(body) !== compact.slice(RANDOM_LENGTH)) return undefined;
  return `${body.slice(0, 4)}-${body.slice(4)}-${compact.slice(RANDOM_LENGTH)}`;
}
