import type { LocalizedText } from './language';

/**
 * Texts of the Routing API (src/routing-api/, src/http/routing-api-router.ts). Its clients are
 * state portals, but the problem `detail` may reach a citizen through them, so it is translated.
 */

/** INVALID_PARAMETER on /api/routes: none, or more than one, of ars, ags and areaId. */
export const ONE_AREA_PARAMETER_DETAIL: LocalizedText = {
  de: 'Geben Sie genau einen der Parameter ars, ags oder areaId an.',
  en: 'Give exactly one of the parameters ars, ags or areaId.',
};

/** INVALID_PARAMETER on /api/routes and /api/areas, per parameter: what a valid value looks like. */
export const ROUTING_PARAMETER_DETAILS = {
  leikaKey: {
    de: 'leikaKey muss ein Leistungsschlüssel aus 14 Ziffern sein, der mit 99 beginnt.',
    en: 'leikaKey must be a service key (Leistungsschlüssel) of 14 digits starting with 99.',
  },
  ars: {
    de: 'ars muss ein Amtlicher Regionalschlüssel aus 2, 3, 5, 9 oder 12 Ziffern sein.',
    en: 'ars must be an official regional key (ARS) of 2, 3, 5, 9 or 12 digits.',
  },
  ags: {
    de: 'ags muss ein Amtlicher Gemeindeschlüssel aus 2, 3, 5 oder 8 Ziffern sein.',
    en: 'ags must be an official municipality key (AGS) of 2, 3, 5 or 8 digits.',
  },
  areaId: {
    de: 'areaId muss die Id eines Gebiets aus /api/areas sein (nur Ziffern).',
    en: 'areaId must be the id of an area from /api/areas (digits only).',
  },
  offset: {
    de: 'offset muss eine ganze Zahl ab 0 sein.',
    en: 'offset must be a whole number from 0.',
  },
  limit: {
    de: 'limit muss eine ganze Zahl von 1 bis 500 sein.',
    en: 'limit must be a whole number from 1 to 500.',
  },
  areaSearchexpression: {
    de: 'areaSearchexpression muss 1 bis 10 Suchbegriffe enthalten: Namen oder Postleitzahlen, je höchstens 100 Zeichen, mit * als Platzhalter und mindestens 2 Zeichen zwischen zwei *.',
    en: 'areaSearchexpression must hold 1 to 10 search terms: names or postal codes, each at most 100 characters, with * as wildcard and at least 2 characters between two *.',
  },
} as const satisfies Record<string, LocalizedText>;

/**
 * The `type` of an area in /api/areas answers. German only: the Routing API answers in German
 * (as FIT-Connect's does), and these are the official names of the kinds of area.
 */
export const AREA_TYPES = {
  land: 'Bundesland',
  municipality: 'Gemeinde',
  town: 'Stadt',
  independentTown: 'Kreisfreie Stadt',
  district: 'Kreis',
  association: 'Gemeindeverband',
  /** By GV100AD Textkennzeichen (40: districts, 50: associations). */
  byKind: {
    41: 'Kreisfreie Stadt',
    42: 'Stadtkreis',
    43: 'Kreis',
    44: 'Landkreis',
    45: 'Regionalverband',
    50: 'Verbandsfreie Gemeinde',
    51: 'Amt',
    52: 'Samtgemeinde',
    53: 'Verbandsgemeinde',
    54: 'Verwaltungsgemeinschaft',
    55: 'Kirchspielslandgemeinde',
    56: 'Verwaltungsverband',
    57: 'Verwaltungsgemeinschaft (Trägermodell)',
    58: 'Erfüllende Gemeinde',
  } as Readonly<Record<number, string>>,
} as const;
