/**
 * How names are compared wherever a citizen, an operator or a portal searches for a place: the
 * region step, `efa-forms route` and the Routing API's area search fold names the same way.
 */

/**
 * Lower case without diacritics and punctuation, with ß as ss and umlauts written out, so
 * "Gößnitz", "goessnitz" and "GOESSNITZ" meet, and "Weissbach" finds "Weißbach".
 */
export function foldName(text: string): string {
  return text
    .toLowerCase()
    .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
    .normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The same with umlauts as their base letter ("gossnitz"), for those who type them so. */
export function foldPlain(text: string): string {
  return foldName(text.replace(/[äÄ]/g, 'a').replace(/[öÖ]/g, 'o').replace(/[üÜ]/g, 'u'));
}
