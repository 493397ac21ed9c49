import { spawnSync } from 'node:child_process';
import { xml2js, type Element } from 'xml-js';

/**
 * Checks well-formedness with libxml2's xmllint (a real, strict XML parser; Debian
 * libxml2-utils, installed by .ci/run) and returns the document parsed by xml-js's sax parser.
 */
export function parseXml(text: string): Element {
  const lint = spawnSync('xmllint', ['--noout', '--nonet', '-'], { input: text, encoding: 'utf8' });
  if (lint.error) throw new Error(`xmllint is not available (apt-get install libxml2-utils): ${lint.error.message}`);
  if (lint.status !== 0) throw new Error(`xmllint rejected the document: ${lint.stderr}`);
  return xml2js(text, { compact: false }) as Element;
}

/** The first child element with this name, or throws. */
export function child(element: Element, name: string): Element {
  const found = element.elements?.find((e) => e.type === 'element' && e.name === name);
  if (!found) throw new Error(`no <${name}> in <${String(element.name)}>`);
  return found;
}

/** Concatenated text content of an element. */
export function textOf(element: Element): string {
  return (element.elements ?? []).map((e) => (e.type === 'text' ? String(e.text) : textOf(e))).join('');
}

export function path(element: Element, ...names: string[]): Element {
  return names.reduce((el, name) => child(el, name), element);
}
