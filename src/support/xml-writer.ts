/**
 * A minimal XML element tree and writer for generated schemas. Attributes keep the order they
 * were given in, children are indented by two spaces, so the same tree always gives the same
 * bytes. Only what an XSD needs: elements, attributes and one text child (documentation).
 */
export interface XmlNode {
  readonly name: string;
  readonly attributes: ReadonlyArray<readonly [string, string]>;
  readonly children: readonly XmlNode[];
  readonly text?: string;
}

/** Builds an element; attributes whose value is undefined are left out. */
export function el(name: string, attributes: Readonly<Record<string, string | number | undefined>> = {}, children: readonly XmlNode[] = []): XmlNode {
  const list: Array<readonly [string, string]> = [];
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) list.push([key, String(value)]);
  return { name, attributes: list, children };
}

export function textElement(name: string, text: string): XmlNode {
  return { name, attributes: [], children: [], text };
}

/**
 * Escapes for both text and attribute values. Characters XML cannot carry become U+FFFD.
 * Tab, LF and CR become character references:
 * a parser would turn them into spaces inside an attribute value (attribute-value normalization),
 * which would change an enumeration value or a pattern. Invisible spaces and line separators are
 * written as references too, so a reader of the schema can see them.
 */
export function escapeXml(value: string): string {
  return value
    // Characters XML 1.0 cannot carry (say in an enum value of a form): no submission holds them.
    // eslint-disable-next-line no-control-regex -- matching control characters is the point here
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;')
    .replace(/[\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`);
}

function write(node: XmlNode, indent: string, out: string[]): void {
  const attributes = node.attributes.map(([key, value]) => ` ${key}="${escapeXml(value)}"`).join('');
  if (node.text !== undefined) {
    out.push(`${indent}<${node.name}${attributes}>${escapeXml(node.text)}</${node.name}>`);
  } else if (node.children.length === 0) {
    out.push(`${indent}<${node.name}${attributes}/>`);
  } else {
    out.push(`${indent}<${node.name}${attributes}>`);
    for (const child of node.children) write(child, `${indent}  `, out);
    out.push(`${indent}</${node.name}>`);
  }
}

/** The document with an XML declaration, ending in a newline. */
export function writeDocument(root: XmlNode, comment?: string): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  // "--" may not appear inside a comment.
  if (comment !== undefined) out.push(`<!-- ${comment.replace(/-(?=-)/g, '- ')} -->`);
  write(root, '', out);
  return `${out.join('\n')}\n`;
}
