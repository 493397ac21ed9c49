import { addProperties, isSchema, resolveLocalRef } from '../../forms/schema-view';

/**
 * The keywords of one schema location that `viewOf` (src/forms/schema-view.ts) does not merge
 * but an XSD needs: string and number limits, patterns, and whether unknown keys are refused.
 * Only what always applies is collected: the location's own keywords and those reached through
 * `allOf` and local `$ref`s. Keywords inside if/then/else apply only sometimes, and anyOf/oneOf/not
 * only narrow what is allowed, so leaving them out can make the XSD more permissive, never stricter.
 */
type Schema = Readonly<Record<string, unknown>>;

export interface Bound {
  readonly value: number;
  readonly exclusive: boolean;
}

export interface SchemaFacets {
  /** Every pattern that applies (all must match). */
  readonly patterns: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly lower?: Bound;
  readonly upper?: Bound;
  /** Some part says `additionalProperties: false` (without patternProperties next to it). */
  readonly additionalPropertiesFalse: boolean;
  /** Some part says `unevaluatedProperties: false`. */
  readonly unevaluatedPropertiesFalse: boolean;
  /**
   * Keywords that let `unevaluatedProperties: false` accept keys outside `properties`:
   * patternProperties, an additionalProperties schema, anyOf/oneOf/dependentSchemas, and the
   * property names an `if` evaluates.
   */
  readonly evaluatesMore: boolean;
  readonly ifPropertyNames: ReadonlySet<string>;
  /** Property name -> the subschemas that always describe it (`true` adds a name, no schema). */
  readonly properties: ReadonlyMap<string, readonly Schema[]>;
  /** `prefixItems` is used: items differ by position, which the XSD does not model. */
  readonly tuple: boolean;
  /** The local $refs followed here, to cut recursive schemas. */
  readonly refs: ReadonlySet<string>;
}

/** The tighter of two lower bounds (higher value; exclusive wins a tie). */
function tighterLower(a: Bound | undefined, b: Bound): Bound {
  if (!a || b.value > a.value || (b.value === a.value && b.exclusive)) return b;
  return a;
}

function tighterUpper(a: Bound | undefined, b: Bound): Bound {
  if (!a || b.value < a.value || (b.value === a.value && b.exclusive)) return b;
  return a;
}

/** Collects the facets of the given subschemas, merged as if by allOf. */
export function collectFacets(root: Schema, schemas: readonly Schema[]): SchemaFacets {
  const patterns: string[] = [];
  const properties = new Map<string, Schema[]>();
  const refs = new Set<string>();
  const ifPropertyNames = new Set<string>();
  const result: {
    minLength?: number; maxLength?: number; lower?: Bound; upper?: Bound;
    additionalPropertiesFalse: boolean; unevaluatedPropertiesFalse: boolean; evaluatesMore: boolean; tuple: boolean;
  } = { additionalPropertiesFalse: false, unevaluatedPropertiesFalse: false, evaluatesMore: false, tuple: false };
  const seen = new Set<Schema>();

  const add = (schema: Schema, depth: number): void => {
    if (seen.has(schema) || depth > 32) return;
    seen.add(schema);
    if (typeof schema.pattern === 'string' && !patterns.includes(schema.pattern)) patterns.push(schema.pattern);
    if (typeof schema.minLength === 'number') result.minLength = Math.max(result.minLength ?? 0, schema.minLength);
    if (typeof schema.maxLength === 'number') result.maxLength = Math.min(result.maxLength ?? Infinity, schema.maxLength);
    if (typeof schema.minimum === 'number') result.lower = tighterLower(result.lower, { value: schema.minimum, exclusive: false });
    if (typeof schema.exclusiveMinimum === 'number') result.lower = tighterLower(result.lower, { value: schema.exclusiveMinimum, exclusive: true });
    if (typeof schema.maximum === 'number') result.upper = tighterUpper(result.upper, { value: schema.maximum, exclusive: false });
    if (typeof schema.exclusiveMaximum === 'number') result.upper = tighterUpper(result.upper, { value: schema.exclusiveMaximum, exclusive: true });
    const hasPatternProperties = isSchema(schema.patternProperties) && Object.keys(schema.patternProperties).length > 0;
    if (schema.additionalProperties === false && !hasPatternProperties) result.additionalPropertiesFalse = true;
    if (schema.unevaluatedProperties === false) result.unevaluatedPropertiesFalse = true;
    if (hasPatternProperties || isSchema(schema.additionalProperties) || schema.additionalProperties === true
      || Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf) || isSchema(schema.dependentSchemas)) {
      result.evaluatesMore = true;
    }
    if (isSchema(schema.if) && isSchema(schema.if.properties)) for (const name of Object.keys(schema.if.properties)) ifPropertyNames.add(name);
    if (Array.isArray(schema.prefixItems)) result.tuple = true;
    addProperties(properties, schema.properties);
    if (Array.isArray(schema.allOf)) for (const part of schema.allOf) if (isSchema(part)) add(part, depth + 1);
    if (typeof schema.$ref === 'string') {
      const target = resolveLocalRef(root, schema.$ref);
      if (target) {
        refs.add(schema.$ref);
        add(target, depth + 1);
      }
    }
  };
  for (const schema of schemas) add(schema, 0);
  return { ...result, patterns, properties, refs, ifPropertyNames };
}
