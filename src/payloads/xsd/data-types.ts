import type { FieldIndex } from '../../forms/field-index';
import { escapeToken } from '../../support/json-pointer';
import { viewOf, type SchemaView } from '../../forms/schema-view';
import { collectFacets, type SchemaFacets } from './schema-facets';
import { scalarType, union, type ScalarType, type SimpleRef } from './simple-types';
import { el, textElement, type XmlNode } from '../../support/xml-writer';
import { KIND_XSD_TYPES } from '../../forms/kinds/index';

/**
 * Types the `data` element of payload v1 from a form's JSON Schema, location by location:
 * objects and arrays become named complex types (named after their data path, `data.halter`,
 * `data.hunde.item`), scalars anonymous simple types. Everything follows from the schema and
 * the field index alone, so the same form version always gives the same types in the same order.
 */
type Schema = Readonly<Record<string, unknown>>;

export const NS_PREFIX = 'efa';

/** Global helper types, written after the data types in this order when used. */
export const HELPER_TYPES = ['AnyValue', 'OpenObject', 'Null', 'Empty'] as const;
export type HelperType = (typeof HELPER_TYPES)[number];
/** The helpers, then the kinds' own types (forms/kinds: the date kind's Date). */
export const GLOBAL_TYPES: readonly string[] = [...HELPER_TYPES, ...KIND_XSD_TYPES.map((t) => t.typeName)];
export type GlobalType = string;

/** Deeper than the submission check allows (src/forms/unsafe-input.ts): nothing gets there. */
const MAX_DEPTH = 40;
const SCALARS: readonly ScalarType[] = ['string', 'integer', 'number', 'boolean'];

interface Location {
  /** The subschemas describing this location; empty for `true` (anything goes). */
  readonly schemas: readonly Schema[];
  /** Field pattern as in the field index: a JSON pointer with array items as `*`. */
  readonly pattern: string;
  readonly typeName: string;
  readonly refsOnPath: ReadonlySet<string>;
  readonly depth: number;
}

/** How an element is typed: by a type's QName, or with an anonymous type inside it. */
type Typed = { readonly qname: string } | { readonly node: XmlNode };

export class DataTypes {
  readonly definitions: XmlNode[] = [];
  readonly usedGlobals = new Set<GlobalType>();
  private readonly names = new Set<string>(GLOBAL_TYPES);

  constructor(private readonly root: Schema, private readonly fields: FieldIndex, reservedNames: readonly string[]) {
    for (const name of reservedNames) this.names.add(name);
  }

  /** The type of the `data` element. */
  dataType(): Typed {
    return this.typeOf({ schemas: [this.root], pattern: '', typeName: 'data', refsOnPath: new Set(), depth: 0 });
  }

  private global(name: GlobalType): string {
    this.usedGlobals.add(name);
    return `${NS_PREFIX}:${name}`;
  }

  /** A type name from the data path; a clash (possible with dots in property names) gets -2, -3. */
  private allocate(base: string): string {
    let name = base;
    for (let n = 2; this.names.has(name); n++) name = `${base}-${n}`;
    this.names.add(name);
    return name;
  }

  /** Appends a named definition, keeping parents before their children. */
  private define(build: (name: string) => XmlNode, base: string): string {
    const name = this.allocate(base);
    const index = this.definitions.length;
    this.definitions.push(el('xs:annotation')); // a placeholder while build() defines the children
    this.definitions[index] = build(name);
    return `${NS_PREFIX}:${name}`;
  }

  private typeOf(location: Location): Typed {
    if (location.schemas.length === 0 || location.depth > MAX_DEPTH) return { qname: this.global('AnyValue') };
    const view = viewOf(this.root, location.schemas);
    const facets = collectFacets(this.root, location.schemas);
    // A $ref already followed above this location: the schema is recursive; stop typing here.
    if ([...facets.refs].some((ref) => location.refsOnPath.has(ref))) return { qname: this.global('AnyValue') };
    const values = view.hasConst ? [view.constValue] : view.enumValues && [...new Set(view.enumValues)];
    const types = allowedTypes(view.types, values);
    if (types === undefined) return { qname: this.global('AnyValue') };
    const nullable = types.delete('null');
    if (types.size === 0) return { qname: this.global('Null') };
    if (types.has('object') || types.has('array')) {
      if (types.size > 1) return { qname: this.global('AnyValue') };
      const inner: Location = { ...location, refsOnPath: new Set([...location.refsOnPath, ...facets.refs]) };
      return types.has('object') ? this.objectType(inner, view, facets, nullable) : this.arrayType(inner, view, facets, nullable);
    }
    const members = SCALARS.filter((t) => types.has(t)).map((type) => scalarType({
      type,
      ...(values === undefined ? {} : { values: values.filter((v) => jsonTypes(v).includes(type)) }),
      ...(view.format === undefined ? {} : { format: view.format }),
      facets,
    }, (typeName) => this.global(typeName)));
    const simple: SimpleRef = members.length === 1 && members[0] ? members[0] : { node: union(members) };
    if (!nullable) return simple;
    // A null is written as <name nil="true"/>: an empty value next to the real ones, and the attribute.
    const valueType = this.define((name) => {
      const named = union([{ qname: this.global('Empty') }, simple]);
      return el('xs:simpleType', { name }, named.children);
    }, location.typeName);
    return {
      node: el('xs:complexType', {}, [el('xs:simpleContent', {}, [el('xs:extension', { base: valueType }, [nilAttribute()])])]),
    };
  }

  private objectType(location: Location, view: SchemaView, facets: SchemaFacets, nullable: boolean): Typed {
    const names = [...view.properties.keys()];
    const closed = facets.additionalPropertiesFalse
      || (facets.unevaluatedPropertiesFalse && !facets.evaluatesMore && [...facets.ifPropertyNames].every((n) => view.properties.has(n)));
    if (!closed) return { qname: this.global(nullable ? 'AnyValue' : 'OpenObject') };
    const rank = (name: string): number => this.fields.rank(`${location.pattern}/${escapeToken(name)}`);
    // The order buildPayloadV1 writes (canonicalOrder): schema order, then by name.
    names.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    return {
      qname: this.define((typeName) => {
        const elements = names.map((name) => {
          const always = facets.properties.get(name);
          const branchOnly = view.properties.get(name) ?? [];
          // Declared only in then/else: optional; two branches may disagree, so then anything goes.
          const schemas = always ?? (branchOnly.length === 1 ? branchOnly : []);
          const child: Location = {
            schemas,
            pattern: `${location.pattern}/${escapeToken(name)}`,
            typeName: `${location.typeName}.${name}`,
            refsOnPath: location.refsOnPath,
            depth: location.depth + 1,
          };
          return this.element(name, child, view.required.has(name) ? 1 : 0, 1);
        });
        const sequence = el('xs:sequence', { minOccurs: nullable ? 0 : undefined }, elements);
        return el('xs:complexType', { name: typeName }, [sequence, ...(nullable ? [nilAttribute()] : [])]);
      }, location.typeName),
    };
  }

  private arrayType(location: Location, view: SchemaView, facets: SchemaFacets, nullable: boolean): Typed {
    return {
      qname: this.define((typeName) => {
        const item: Location = {
          // prefixItems types items by position, which this mapping does not model.
          schemas: facets.tuple ? [] : view.items,
          pattern: `${location.pattern}/*`,
          typeName: `${location.typeName}.item`,
          refsOnPath: location.refsOnPath,
          depth: location.depth + 1,
        };
        const max = view.maxItems === undefined ? 'unbounded' : view.maxItems;
        const sequence = el('xs:sequence', { minOccurs: nullable ? 0 : undefined }, [this.element('item', item, view.minItems ?? 0, max)]);
        return el('xs:complexType', { name: typeName }, [sequence, ...(nullable ? [nilAttribute()] : [])]);
      }, location.typeName),
    };
  }

  /** An element declaration with its occurrence and the field's title as documentation. */
  private element(name: string, location: Location, min: number, max: number | 'unbounded'): XmlNode {
    const title = location.schemas.length > 0 ? viewOf(this.root, location.schemas).title : undefined;
    const typed = this.typeOf(location);
    const annotation = title === undefined ? [] : [el('xs:annotation', {}, [textElement('xs:documentation', title)])];
    return el(
      'xs:element',
      { name, type: 'qname' in typed ? typed.qname : undefined, minOccurs: min, maxOccurs: max },
      [...annotation, ...('node' in typed ? [typed.node] : [])],
    );
  }
}

/** `nil="true"` marks a JSON null (no namespace: it is not xsi:nil). */
export function nilAttribute(): XmlNode {
  return el('xs:attribute', { name: 'nil', type: 'xs:boolean' });
}

/** JSON types a value has ("integer" for whole numbers, which are "number" too). */
function jsonTypes(value: unknown): string[] {
  if (value === null) return ['null'];
  if (Array.isArray(value)) return ['array'];
  if (typeof value === 'number') return Number.isInteger(value) ? ['integer', 'number'] : ['number'];
  return [typeof value];
}

/**
 * The JSON types a value here can have, or undefined when anything goes (no type, or enum/const
 * values that are objects or arrays). `number` covers `integer`. An empty set means no value
 * is valid (say `type: "string"` with `enum: [1]`): the element then can only be absent or nil.
 */
function allowedTypes(declared: ReadonlySet<string>, values: readonly unknown[] | undefined): Set<string> | undefined {
  let types = new Set(declared);
  if (values !== undefined) {
    const valueTypes = new Set(values.flatMap(jsonTypes).filter((t) => declared.size === 0 || declared.has(t)));
    if (valueTypes.has('object') || valueTypes.has('array')) return undefined;
    types = declared.size === 0 ? valueTypes : new Set([...types].filter((t) => valueTypes.has(t)));
  } else if (types.size === 0) {
    return undefined;
  }
  if (types.has('number')) types.delete('integer');
  return types;
}
