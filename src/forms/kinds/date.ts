import { formatCalendarDate } from '../../i18n/formatters';
import { el, textElement, type XmlNode } from '../../support/xml-writer';
import type { FormBody, LeafKind } from './field-kind';
import { commonView } from './field-kind';
import { displayTyped, typedText } from './typed-answer';

const DATE_PARTS = ['day', 'month', 'year'] as const;

/** HTML names of a date's three inputs: the field's pointer and the part, joined by "|". */
export function datePartName(pointer: string, part: (typeof DATE_PARTS)[number]): string {
  return `${pointer}|${part}`;
}

/** The JSON Schema format whose answers this kind asks for. */
export const DATE_FORMAT = 'date';

/**
 * The payload XSD's type for a `format: date` answer (payloads/xsd): an xs:date that also admits
 * the year 0000, which is a valid JSON Schema date but not an xs:date.
 */
function dateXsdType(name: string): XmlNode {
  return el('xs:simpleType', { name }, [
    el('xs:annotation', {}, [textElement('xs:documentation', 'A date YYYY-MM-DD. The year 0000 is a valid JSON Schema date but not an xs:date.')]),
    el('xs:union', { memberTypes: 'xs:date' }, [
      el('xs:simpleType', {}, [el('xs:restriction', { base: 'xs:string' }, [el('xs:pattern', { value: '0000-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])' })])]),
    ]),
  ]);
}

function parseDate(_node: unknown, pointer: string, body: FormBody): string | undefined {
  const [day, month, year] = DATE_PARTS.map((p) => typedText(body[datePartName(pointer, p)]) ?? '');
  if (!day && !month && !year) return undefined;
  if (/^[0-9]{1,2}$/.test(day!) && /^[0-9]{1,2}$/.test(month!) && /^[0-9]{4}$/.test(year!)) {
    return `${year}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`;
  }
  // Kept as typed, so the page shows it again and the schema says what is wrong with it.
  return `${year}-${month}-${day}`;
}

/**
 * A date as three inputs, day, month and year (partial field-date), as GOV.UK and the German
 * federal design system ask for dates citizens know (a birth date): no date picker.
 */
export const dateKind: LeafKind = {
  widgets: ['date'],
  parse: parseDate,
  view(node, pointer, value, ctx) {
    const [year = '', month = '', day = ''] = typeof value === 'string' ? value.split('-') : [];
    const base = commonView(node, pointer, ctx, 'field-date');
    const t = ctx.strings;
    const parts = [
      { part: 'day', label: t.day, value: day, width: 2 },
      { part: 'month', label: t.month, value: month, width: 2 },
      { part: 'year', label: t.year, value: year, width: 4 },
    ] as const;
    return {
      ...base,
      // The error summary link goes to the day input.
      date: parts.map((p, i) => ({
        id: i === 0 ? base.id : `${base.id}-${p.part}`,
        name: datePartName(pointer, p.part),
        label: p.label,
        value: p.value,
        width: p.width,
      })),
    };
  },
  display(node, value, ctx) {
    if (typeof value !== 'string' || value === '' || node.options.length > 0) return displayTyped(node, value, ctx);
    return formatCalendarDate(value, ctx.language);
  },
  // Dates are always ten characters: length facets do not apply.
  xsd: { format: DATE_FORMAT, typeName: 'Date', lengthFacets: false, definition: dateXsdType },
};
