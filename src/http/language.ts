import type { Language } from '../i18n/language';

/**
 * Picks German or English from an Accept-Language header by quality; German is the default
 * and wins ties, as the service is German first.
 */
export function negotiateLanguage(header: string | undefined): Language {
  if (!header) return 'de';
  let best: { language: Language; q: number } = { language: 'de', q: 0 };
  for (const part of header.split(',')) {
    const [tag = '', ...params] = part.trim().split(';');
    const primary = tag.trim().toLowerCase().split('-')[0];
    if (primary !== 'de' && primary !== 'en') continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (q > best.q || (q === best.q && primary === 'de')) best = { language: primary, q };
  }
  return best.language;
}
