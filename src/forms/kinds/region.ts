import { format } from '../../i18n/translator';
import type { LeafKind } from './field-kind';
import { commonView, inputText } from './field-kind';
import { displayTyped, parseTyped } from './typed-answer';

/**
 * The municipality lookup (partial field-region): only the form's routing field
 * (routing.regionField) gets it, on the region step. The citizen searches by name or postcode
 * and picks one of the municipalities found; the answer is the municipality's ARS, shown by
 * its name.
 */
export const regionKind: LeafKind = {
  widgets: ['region'],
  parse: parseTyped,
  view(node, pointer, value, ctx) {
    const { municipalities } = ctx;
    const query = ctx.search?.query ?? '';
    const found = query ? municipalities.search(query) : [];
    const current = typeof value === 'string' ? municipalities.byArs(value) : undefined;
    // The municipalities found, or the one already chosen; one hit is preselected.
    const list = found.length > 0 ? found : current ? [current] : [];
    const preselect = found.length === 1 ? found[0]!.municipality.ars : value;
    const view = { ...commonView(node, pointer, ctx, 'field-region'), value: inputText(value) };
    return {
      ...view,
      options: list.map((m, i) => ({
        id: i === 0 ? `${view.id}-option` : `${view.id}-option-${i}`,
        value: m.municipality.ars,
        label: `${m.municipality.name} (${m.municipality.postalCodes.slice(0, 3).join(', ')}${m.municipality.postalCodes.length > 3 ? ' …' : ''})`,
        checked: m.municipality.ars === preselect,
      })),
      region: {
        query,
        noResults: ctx.search?.searched && found.length === 0 ? format(ctx.strings.regionNoResults ?? '', { q: query }) : undefined,
      },
    };
  },
  display(node, value, ctx) {
    if (typeof value === 'string' && value !== '') return ctx.municipalities.byArs(value)?.municipality.name ?? value;
    return displayTyped(node, value, ctx);
  },
};
