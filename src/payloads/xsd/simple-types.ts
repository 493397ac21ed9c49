import { ecmaPatternToXsd } from './pattern';
import type { SchemaFacets } from './schema-facets';
import { el, textElement, type XmlNode } from '../../support/xml-writer';
import { xsdTypeOfFormat } from '../../forms/kinds/index';

/**
 * XSD simple types for the scalar JSON values of payload v1, which writes strings unchanged,
 * numbers as JavaScript prints them (`String(n)`: `3`, `0.5`, `1e+21`, `1e-7`) and booleans as
 * `true`/`false`.
 */

/** A simple type: the QName of a built-in or global type, or an anonymous xs:simpleType. */
export type SimpleRef = { readonly qname: string } | { readonly node: XmlNode };

export type ScalarType = 'string' | 'integer' | 'number' | 'boolean';

export interface ScalarSpec {
  readonly type: ScalarType;
  /** Allowed values from `enum`/`const`, already narrowed to this type; undefined when free. */
  readonly values?: readonly unknown[];
  readonly format?: string;
  readonly facets: SchemaFacets;
}

/** Patterns for the German formats (src/forms/german-formats.ts; checksums stay with the form). */
export const FORMAT_PATTERNS: Readonly<Record<string, string>> = {
  'de-postal-code': '[0-9]{5}',
  ars: '[0-9]{12}',
  ags: '[0-9]{8}',
  iban: '[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}',
  // Loose on purpose: ajv's address check is stricter, and the XSD must accept all it accepts.
  email: '[^@\\s]+@[^@\\s]+',
};

/** JavaScript prints integers from 1e21 on in exponent form, which xs:integer cannot read. */
const EXPONENT_FROM = 1e21;
const EXPONENT_INTEGER = '-?[1-9](\\.[0-9]+)?e\\+[0-9]+';

function facet(name: string, value: string | number): XmlNode {
  return el(`xs:${name}`, { value: String(value) });
}

/** Restricts a type by facets (one derivation step: several patterns in it would be ORed). */
export function restrict(base: SimpleRef, facets: readonly XmlNode[], notes: readonly string[] = []): SimpleRef {
  if (facets.length === 0 && notes.length === 0) return base;
  const annotation = notes.length > 0 ? [el('xs:annotation', {}, notes.map((n) => textElement('xs:documentation', n)))] : [];
  const restriction = 'qname' in base ? el('xs:restriction', { base: base.qname }, facets) : el('xs:restriction', {}, [base.node, ...facets]);
  return { node: el('xs:simpleType', {}, [...annotation, restriction]) };
}

/** An anonymous union (a value is valid when one member accepts it). */
export function union(members: readonly SimpleRef[]): XmlNode {
  const qnames = members.flatMap((m) => ('qname' in m ? [m.qname] : []));
  const nodes = members.flatMap((m) => ('node' in m ? [m.node] : []));
  return el('xs:simpleType', {}, [el('xs:union', { memberTypes: qnames.length > 0 ? qnames.join(' ') : undefined }, nodes)]);
}

function integerLiteral(n: number): string {
  return BigInt(n).toString();
}

function stringType(spec: ScalarSpec, kindType: (typeName: string) => string): SimpleRef {
  // A kind's own type for its format (the date kind's Date), else xs:string.
  const own = xsdTypeOfFormat(spec.format);
  const notes: string[] = [];
  const patterns: string[] = [];
  const formatPattern = spec.format === undefined ? undefined : FORMAT_PATTERNS[spec.format];
  if (formatPattern !== undefined) patterns.push(formatPattern);
  for (const pattern of spec.facets.patterns) {
    const converted = ecmaPatternToXsd(pattern);
    if (converted.ok) patterns.push(converted.xsd);
    else notes.push(`Not checked here: the form's pattern ${pattern} (${converted.reason}).`);
  }
  const first: XmlNode[] = (spec.values ?? []).map((v) => facet('enumeration', String(v)));
  if (patterns[0] !== undefined) first.push(facet('pattern', patterns[0]));
  const lengthFacets = own?.lengthFacets ?? true;
  if (lengthFacets && spec.facets.minLength !== undefined && spec.facets.minLength > 0) first.push(facet('minLength', spec.facets.minLength));
  if (lengthFacets && spec.facets.maxLength !== undefined) first.push(facet('maxLength', spec.facets.maxLength));
  let type = restrict({ qname: own ? kindType(own.typeName) : 'xs:string' }, first);
  // Each further pattern in its own step, so that all of them must match.
  for (const pattern of patterns.slice(1)) type = restrict(type, [facet('pattern', pattern)]);
  return restrict(type, [], notes);
}

function integerType(spec: ScalarSpec): SimpleRef {
  const { values, facets } = spec;
  if (values !== undefined) {
    const small = values.every((v) => Math.abs(v as number) < EXPONENT_FROM);
    return restrict({ qname: small ? 'xs:integer' : 'xs:double' }, values.map((v) => facet('enumeration', small ? integerLiteral(v as number) : String(v))));
  }
  const low = facets.lower === undefined ? undefined : facets.lower.exclusive ? Math.floor(facets.lower.value) + 1 : Math.ceil(facets.lower.value);
  const high = facets.upper === undefined ? undefined : facets.upper.exclusive ? Math.ceil(facets.upper.value) - 1 : Math.floor(facets.upper.value);
  const bounds = (literal: (n: number) => string): XmlNode[] => [
    ...(low === undefined ? [] : [facet('minInclusive', literal(low))]),
    ...(high === undefined ? [] : [facet('maxInclusive', literal(high))]),
  ];
  const plain = restrict({ qname: 'xs:integer' }, bounds(integerLiteral));
  if (low !== undefined && low > -EXPONENT_FROM && high !== undefined && high < EXPONENT_FROM) return plain;
  const exponent = restrict({ qname: 'xs:double' }, [facet('pattern', EXPONENT_INTEGER), ...bounds(String)]);
  return { node: union([plain, exponent]) };
}

/** xs:double reads every number JavaScript prints, including `1e+21` and `5e-324`. */
function numberType(spec: ScalarSpec): SimpleRef {
  const { values, facets } = spec;
  if (values !== undefined) return restrict({ qname: 'xs:double' }, values.map((v) => facet('enumeration', String(v))));
  const bounds: XmlNode[] = [];
  if (facets.lower) bounds.push(facet(facets.lower.exclusive ? 'minExclusive' : 'minInclusive', String(facets.lower.value)));
  if (facets.upper) bounds.push(facet(facets.upper.exclusive ? 'maxExclusive' : 'maxInclusive', String(facets.upper.value)));
  return restrict({ qname: 'xs:double' }, bounds);
}

/** xs:boolean has no enumeration facet; a pattern pins `const: true` to the text `true`. */
function booleanType(spec: ScalarSpec): SimpleRef {
  const allowed = new Set(spec.values ?? [true, false]);
  if (allowed.size === 1) return restrict({ qname: 'xs:boolean' }, [facet('pattern', allowed.has(true) ? 'true' : 'false')]);
  return { qname: 'xs:boolean' };
}

/** The simple type of one scalar JSON type at a schema location. */
export function scalarType(spec: ScalarSpec, kindType: (typeName: string) => string): SimpleRef {
  switch (spec.type) {
    case 'string': return stringType(spec, kindType);
    case 'integer': return integerType(spec);
    case 'number': return numberType(spec);
    case 'boolean': return booleanType(spec);
  }
}
