import type { LeafKind } from './field-kind';
import { commonView, inputText } from './field-kind';
import { displayTyped, parseTyped } from './typed-answer';

const INPUT_TYPES: Readonly<Record<string, string>> = { email: 'email', tel: 'tel' };

/**
 * A one-line text (partial field-text): plain text, e-mail address or telephone number. A field
 * named like a postcode gets the numeric keyboard, a short input and `autocomplete=postal-code`.
 */
export const textKind: LeafKind = {
  widgets: ['text', 'email', 'tel'],
  parse: parseTyped,
  view(node, pointer, value, ctx) {
    const postal = /postleitzahl|plz|postal/i.test(node.name);
    return {
      ...commonView(node, pointer, ctx, 'field-text'),
      inputType: INPUT_TYPES[node.widget] ?? 'text',
      value: inputText(value),
      ...(node.autocomplete ? { autocomplete: node.autocomplete } : postal ? { autocomplete: 'postal-code' } : {}),
      ...(node.widget === 'email' ? { spellcheckOff: true, autocomplete: node.autocomplete ?? 'email' } : {}),
      ...(postal ? { inputmode: 'numeric', widthClass: 'efa-input--width-10' } : {}),
    };
  },
  display: displayTyped,
};
