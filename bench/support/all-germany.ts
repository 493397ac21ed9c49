import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A generated all-Germany installation for the start-up benchmark: 16 tenants (one per Land),
 * about 400 districts and 11,000 municipalities with made-up names and postal codes, and one
 * authority per district serving every form for the whole district. The shape (key lengths,
 * counts, names with umlauts, shared postal codes) follows the real directory; the data is not
 * real, so nothing here is copied from Destatis.
 */
const LANDS = 16;
const DISTRICTS_PER_LAND = 25;
const MUNICIPALITIES_PER_DISTRICT = 27;
const SYLLABLES = ['bach', 'berg', 'dorf', 'feld', 'hausen', 'heim', 'roda', 'stedt', 'walde', 'wörth', 'leben', 'born', 'grün', 'münde', 'tal', 'au'];
const STARTS = ['Alt', 'Groß', 'Klein', 'Ober', 'Nieder', 'Neu', 'Weiß', 'Rot', 'Schön', 'Bad ', 'Mühl', 'Eichen', 'Linden', 'Sonnen', 'Wald', 'Hohen'];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export interface GeneratedSet {
  readonly municipalities: number;
  readonly districts: number;
  /** A sample of ARS keys and search queries for the lookups. */
  readonly sampleArs: readonly string[];
  readonly sampleQueries: readonly string[];
}

/** Writes the 16 tenant files into `tenantsDir`; every authority serves `formIds`. */
export function writeAllGermany(tenantsDir: string, formIds: readonly string[]): GeneratedSet {
  mkdirSync(tenantsDir, { recursive: true });
  let municipalities = 0;
  let districts = 0;
  const sampleArs: string[] = [];
  const sampleQueries: string[] = [];
  for (let land = 1; land <= LANDS; land++) {
    const landKey = pad(land, 2);
    const tenantMunicipalities: object[] = [];
    const tenantDistricts: object[] = [];
    const authorities: object[] = [];
    for (let d = 1; d <= DISTRICTS_PER_LAND; d++) {
      const district = `${landKey}0${pad(d, 2)}`;
      tenantDistricts.push({ ars: district, name: `Landkreis ${STARTS[d % STARTS.length]}${SYLLABLES[(d * 3) % SYLLABLES.length]}`, kind: 44 });
      districts++;
      for (let m = 1; m <= MUNICIPALITIES_PER_DISTRICT; m++) {
        const ars = `${district}${pad(5000 + m, 4)}${pad(m, 3)}`;
        const name = `${STARTS[(m + d) % STARTS.length]}${SYLLABLES[(m * 7 + d) % SYLLABLES.length]}${m > 16 ? ` ${m}` : ''}`;
        // Neighbouring municipalities share a postal code, as small ones often do.
        const postal = pad(10000 + ((land * 997 + d * 37 + Math.floor(m / 2)) % 89999), 5);
        tenantMunicipalities.push({ ars, name, population: 500 + ((m * 7919 + d * 104729) % 40000), postalCodes: [postal] });
        municipalities++;
        if (m === 3) sampleArs.push(ars);
        if (m === 5 && d % 5 === 0) sampleQueries.push(name, postal);
      }
      authorities.push({
        id: `kreis-${district}`,
        name: `Kreisverwaltung ${district}`,
        email: `kreis-${district}@example.org`,
        delivery: { type: 'http', url: `http://127.0.0.1:4000/kreis-${district}`, secretEnv: `EFA_SECRET_KREIS_${district}` },
        serves: [{ forms: formIds, regions: [district] }],
      });
    }
    const tenant = {
      id: `land-${landKey}`,
      name: { de: `Land ${landKey}`, en: `State ${landKey}` },
      regions: [landKey],
      links: { imprintUrl: 'https://example.org/impressum', privacyUrl: 'https://example.org/datenschutz', accessibilityUrl: 'https://example.org/barrierefreiheit' },
      municipalities: tenantMunicipalities,
      districts: tenantDistricts,
      authorities,
    };
    writeFileSync(path.join(tenantsDir, `land-${landKey}.json`), `${JSON.stringify(tenant)}\n`);
  }
  return { municipalities, districts, sampleArs, sampleQueries };
}
