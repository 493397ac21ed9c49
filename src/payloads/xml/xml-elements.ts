import type { Element } from 'xml-js';

/**
 * The xml-js element helpers payload builders share. xml-js "desanitizes" `&amp;` to `&` before
 * escaping text, so a citizen who typed the five characters "&amp;" would arrive as "&".
 * Doubling every `&` first makes that step restore exactly the original text, which xml-js then
 * escapes correctly.
 */
export function textNode(value: string): Element {
  return { type: 'text', text: value.replace(/&/g, '&amp;') };
}

export function text(name: string, value: string): Element {
  return { type: 'element', name, elements: [textNode(value)] };
}

export function group(name: string, elements: Element[]): Element {
  return { type: 'element', name, elements };
}
