import type { ErrorObject } from 'ajv';
import type { FieldError } from '../errors';
import type { FieldIndex, FieldInfo } from './field-index';
import { type FormDefinition } from './form-definition';
import { MAX_FIELD_ERRORS, TOO_MANY_VALUES } from './input-limits';
import { joinPointer, parsePointer, toFieldPattern } from '../support/json-pointer';
import type { Language, LocalizedText } from '../i18n/language';
import { localize } from '../i18n/language';
import { FORMAT_TEXTS, LIMIT_TEXTS, LIST_ENTRY_LABEL, VALIDATION_TEXTS } from '../i18n/validation-texts';
import { format, formatLocalized } from '../i18n/translator';

type Texts = LocalizedText;

const T = VALIDATION_TEXTS;

function limitText(keyword: string, limit: number): Texts | undefined {
  if (keyword === 'minLength' && limit <= 1) return T.fillIn;
  if (keyword === 'minItems' && limit <= 1) return T.atLeastOneItem;
  const text = Object.hasOwn(LIMIT_TEXTS, keyword) ? LIMIT_TEXTS[keyword as keyof typeof LIMIT_TEXTS] : undefined;
  return text && formatLocalized(text, { n: String(limit) });
}

/** What to say when a field is missing, judged by what kind of answer the field takes. */
function missingText(field: FieldInfo | undefined): Texts {
  if (!field) return T.fillIn;
  if (field.hasConst && field.constValue === true) return T.confirm;
  if (field.enumValues || field.types.has('boolean')) return T.choose;
  if (field.types.has('array')) return T.atLeastOneItem;
  if (field.types.has('object')) return T.fillInGroup;
  return T.fillIn;
}

function typeText(expected: unknown): Texts {
  const types = Array.isArray(expected) ? expected : [expected];
  if (types.includes('integer')) return T.integer;
  if (types.includes('number')) return T.number;
  if (types.includes('boolean')) return T.yesNo;
  if (types.includes('array')) return T.list;
  if (types.includes('string')) return T.text;
  if (types.includes('object')) return T.fillInGroup;
  return T.check;
}

interface Located {
  readonly pointer: string;
  readonly keyword: string;
  readonly texts: Texts;
}

/** The one error for answers beyond INPUT_LIMITS.maxValues (also said before a body is parsed). */
export function tooManyValuesError(language: Language): FieldError {
  return { pointer: '', message: T.tooManyValues[language] };
}

/** Finds the field the citizen must fix and the sentence that tells them how. */
function locate(error: ErrorObject, fields: FieldIndex, patternOf: (pointer: string) => string): Located | undefined {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
    case 'dependentRequired': {
      const pointer = joinPointer(error.instancePath, String(params.missingProperty));
      return { pointer, keyword: 'required', texts: missingText(fields.get(patternOf(pointer))) };
    }
    case 'additionalProperties':
      return { pointer: joinPointer(error.instancePath, String(params.additionalProperty)), keyword: error.keyword, texts: T.unknownField };
    case 'unevaluatedProperties':
      return { pointer: joinPointer(error.instancePath, String(params.unevaluatedProperty)), keyword: error.keyword, texts: T.unknownField };
    case 'if':
      return undefined; // the failing `then`/`else` keywords report the actual fields
    case 'type': {
      // A number where an e-mail address belongs is best answered with what an address looks like.
      const field = fields.get(patternOf(error.instancePath));
      const formatText = field?.format !== undefined ? FORMAT_TEXTS[field.format] : undefined;
      const texts = formatText ?? (field?.enumValues ? T.chooseOffered : typeText(params.type));
      return { pointer: error.instancePath, keyword: error.keyword, texts };
    }
    case 'format':
      return { pointer: error.instancePath, keyword: error.keyword, texts: FORMAT_TEXTS[String(params.format)] ?? T.checkFormat };
    case 'pattern':
      return { pointer: error.instancePath, keyword: error.keyword, texts: T.checkFormat };
    case 'enum':
      return { pointer: error.instancePath, keyword: error.keyword, texts: T.chooseOffered };
    case 'const':
      return { pointer: error.instancePath, keyword: error.keyword, texts: params.allowedValue === true ? T.confirm : T.notAllowed };
    case 'uniqueItems':
      return { pointer: error.instancePath, keyword: error.keyword, texts: T.unique };
    case TOO_MANY_VALUES:
      return { pointer: error.instancePath, keyword: error.keyword, texts: T.tooManyValues };
    case 'false schema':
      return { pointer: error.instancePath, keyword: error.keyword, texts: T.unknownField };
    default: {
      const limit = typeof params.limit === 'number' ? limitText(error.keyword, params.limit) : undefined;
      return { pointer: error.instancePath, keyword: error.keyword, texts: limit ?? T.check };
    }
  }
}

/**
 * anyOf/oneOf report one error per failed branch plus their own; a citizen cannot act on
 * "must match one of the branches", so branch errors are folded into one message at the field.
 */
function foldBranches(errors: readonly ErrorObject[]): ErrorObject[] {
  // Distinct schema locations only: a list of 10,000 items repeats the same few, and comparing
  // every error with every item's branch error would be quadratic.
  const branchRoots = [...new Set(errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .map((e) => `${e.schemaPath}/`))];
  return errors.filter((e) => !branchRoots.some((root) => e.schemaPath.startsWith(root)));
}

/**
 * Describes the field at a concrete pointer for a citizen, with every list level:
 * "Hund 2 – Name" for /hunde/1/name.
 */
function fieldDescriber(form: FormDefinition, fields: FieldIndex, language: Language): (pointer: string) => string | undefined {
  const uiFields = form.ui?.fields ?? {};
  // Declarations are often labelled with a whole sentence; its full stop would clash with ": ".
  const labelOf = (pattern: string): string | undefined =>
    (localize(uiFields[pattern]?.label, language) ?? fields.get(pattern)?.title)?.replace(/[.:]\s*$/, '');

  return (pointer: string): string | undefined => {
    const parts: string[] = [];
    let pattern = '';
    for (const token of parsePointer(pointer)) {
      if (/^(0|[1-9][0-9]*)$/.test(token) && fields.isArray(pattern)) {
        const item = localize(uiFields[pattern]?.itemLabel, language);
        const list = labelOf(pattern);
        const number = Number(token) + 1;
        if (item) parts.push(`${item} ${number}`);
        else if (list) parts.push(format(LIST_ENTRY_LABEL[language], { list, n: number }));
        pattern = `${pattern}/*`;
      } else {
        pattern = joinPointer(pattern, token);
      }
    }
    const own = labelOf(pattern);
    // The list's own label is already in `parts` when the pointer ends at an array item.
    if (own && !pattern.endsWith('/*')) parts.push(own);
    return parts.length > 0 ? parts.join(' – ') : undefined;
  };
}

/** Puts the field's label before each message ("Name: …"), so a citizen knows where to look. */
export function withFieldLabels(errors: readonly FieldError[], form: FormDefinition, fields: FieldIndex, language: Language): FieldError[] {
  const describe = fieldDescriber(form, fields, language);
  return errors.slice(0, MAX_FIELD_ERRORS + 1).map((e) => {
    const label = describe(e.pointer);
    return { pointer: e.pointer, message: label ? `${label}: ${e.message}` : e.message };
  });
}

/**
 * Turns ajv's errors into citizen-facing messages with labels in the requested language: one
 * per field, at most MAX_FIELD_ERRORS + 1 (the one more tells the caller that there are more).
 */
export function toFieldErrors(
  errors: readonly ErrorObject[],
  form: FormDefinition,
  fields: FieldIndex,
  language: Language,
): FieldError[] {
  const patternOf = (pointer: string): string => toFieldPattern(pointer, (prefix) => fields.isArray(prefix));
  const uiFields = form.ui?.fields ?? {};
  const describe = fieldDescriber(form, fields, language);

  const result: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of foldBranches(errors)) {
    if (result.length > MAX_FIELD_ERRORS) break;
    const located = locate(error, fields, patternOf);
    if (!located) continue;
    // One message per field, as citizens fix one thing at a time (ajv reports type before format).
    if (seen.has(located.pointer)) continue;
    seen.add(located.pointer);
    const ui = uiFields[patternOf(located.pointer)];
    const override = localize(ui?.messages?.[located.keyword], language);
    // A file question without its files asks for an upload, not for "entries".
    const fewest = located.keyword === 'minItems' ? Number((error.params as { limit?: unknown }).limit) : 1;
    const upload = ui?.widget === 'file' && (located.keyword === 'required' || located.keyword === 'minItems') ? T.uploadFile : undefined;
    const sentence = override ?? (upload && fewest > 1 ? format(T.uploadFiles[language], { n: fewest }) : (upload ?? located.texts)[language]);
    const label = describe(located.pointer);
    result.push({ pointer: located.pointer, message: label ? `${label}: ${sentence}` : sentence });
  }
  return result;
}
