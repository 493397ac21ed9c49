import { fileQuestionProblems } from './file-questions';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import type { CompiledForm } from './compiled-form';
import type { QuestionTree } from './form-tree';
import { buildQuestionTree } from './question-tree';
import type { FieldError } from '../errors';
import { problem, StartupError } from '../startup-error';
import { fileSystemReason, findAbsurdSizes, readConfigJson } from '../support/config-file';
import { deepFreeze } from '../support/deep-freeze';
import { compileOwnSchema } from '../support/own-schema-validator';
import { describeSchemaError } from '../support/schema-problem';
import { buildFieldIndex } from './field-index';
import type { FormDefinition } from './form-definition';
import definitionSchema from './form-definition.schema.json';
import { createDataAjv } from './data-ajv';
import { findLimitViolations } from './input-limits';
import { findPatternProblems } from './schema-patterns';
import { findUnreachableValues } from './schema-values';
import { FORBIDDEN_KEYS, findUnsafeInput, isXmlElementName } from './unsafe-input';
import { toFieldErrors, withFieldLabels } from './validation-messages';
import type { Language } from '../i18n/language';

export interface FormRegistry {
  get(id: string): CompiledForm | undefined;
  list(): readonly CompiledForm[];
  /** The ids of all forms, in the order of list(). */
  ids(): readonly string[];
}

const validateDefinition = compileOwnSchema(definitionSchema);

/**
 * Loads and checks one form.json into the one object everything uses (compiled-form.ts); throws
 * StartupError naming file, pointer and reason. `ajv` is the registry's (one per registry); a
 * form compiled alone gets one of its own.
 */
export function compileForm(file: string, raw: unknown, expectedId?: string, ajv: Ajv2020 = createDataAjv({ allErrors: true })): CompiledForm {
  if (!validateDefinition(raw)) {
    const { pointer, reason } = describeSchemaError(validateDefinition.errors?.[0]);
    throw new StartupError([problem(file, pointer, reason)]);
  }
  const definition = deepFreeze(raw as FormDefinition);
  if (expectedId !== undefined && definition.id !== expectedId) {
    throw new StartupError([problem(file, '/id', `is "${definition.id}" but the folder is "${expectedId}"`)]);
  }
  if (!ajv.validateSchema(definition.schema)) {
    const { pointer, reason } = describeSchemaError(ajv.errors?.[0]);
    throw new StartupError([problem(file, `/schema${pointer}`, `not a valid JSON Schema 2020-12: ${reason}`)]);
  }
  const schemaProblems = [...findPatternProblems(definition.schema), ...findUnreachableValues(definition.schema)];
  if (schemaProblems.length > 0) throw new StartupError(schemaProblems.map((p) => problem(file, `/schema${p.pointer}`, p.reason)));
  let validator: ValidateFunction;
  try {
    validator = ajv.compile(definition.schema);
  } catch (err) {
    throw new StartupError([problem(file, '/schema', err instanceof Error ? err.message : String(err))]);
  } finally {
    // The compiled function keeps what it needs; forgetting the schema lets two forms of one
    // registry use the same `$id` (a copied form, say) without clashing in the shared ajv.
    ajv.removeSchema(definition.schema);
  }
  const fields = buildFieldIndex(definition.schema);
  const problems: string[] = [];
  for (const { name, schemaPointer } of fields.propertyNames) {
    if (FORBIDDEN_KEYS.has(name)) {
      problems.push(problem(file, `/schema${schemaPointer}`, `property name "${name}" is reserved (submissions with it are always refused)`));
    } else if (!isXmlElementName(name)) {
      problems.push(problem(file, `/schema${schemaPointer}`, `property name "${name}" cannot be an XML element name (use letters, digits, _ . -; not starting with a digit or "xml")`));
    }
  }
  const region = fields.get(definition.routing.regionField);
  if (definition.routing.regionField.split('/').includes('*')) {
    problems.push(problem(file, '/routing/regionField', 'must point to one field, not into an array (*)'));
  } else if (!region) problems.push(problem(file, '/routing/regionField', `"${definition.routing.regionField}" is not a field of the schema`));
  else if (!region.types.has('string')) problems.push(problem(file, '/routing/regionField', 'must point to a field of type string'));
  if (definition.emailField !== undefined) {
    const email = fields.get(definition.emailField);
    if (!email || definition.emailField.includes('*')) problems.push(problem(file, '/emailField', `"${definition.emailField}" is not a single field of the schema`));
    else if (!email.types.has('string')) problems.push(problem(file, '/emailField', 'must point to a field of type string'));
  }
  (definition.ui?.steps ?? []).forEach((step, i) => {
    step.fields.forEach((pointer, j) => {
      if (!fields.get(pointer)) problems.push(problem(file, `/ui/steps/${i}/fields/${j}`, `"${pointer}" is not a field of the schema`));
    });
  });
  for (const pointer of Object.keys(definition.ui?.fields ?? {})) {
    if (!fields.get(pointer)) problems.push(problem(file, `/ui/fields/${pointer.replace(/~/g, '~0').replace(/\//g, '~1')}`, 'is not a field of the schema'));
  }
  for (const p of fileQuestionProblems(definition, fields)) problems.push(problem(file, p.pointer, p.reason));
  if (problems.length > 0) throw new StartupError(problems);

  function storageErrors(data: unknown, language: Language): FieldError[] {
    // What must never be stored (control characters, reserved keys), named at its field.
    const unsafe = findUnsafeInput(data, language);
    if (unsafe.length > 0) return withFieldLabels(unsafe, definition, fields, language);
    // Bounded work first: oversized answers are reported without running ajv (input-limits.ts).
    const overLimits = findLimitViolations(data, fields);
    return overLimits.length > 0 ? toFieldErrors(overLimits, definition, fields, language) : [];
  }

  let tree: QuestionTree;
  try {
    tree = buildQuestionTree(definition, ajv);
  } catch (err) {
    throw new StartupError([problem(file, '/schema', err instanceof Error ? err.message : String(err))]);
  }

  return Object.freeze({
    ...tree,
    definition,
    fields,
    storageErrors,
    validate(data: unknown, language: Language): FieldError[] {
      const refused = storageErrors(data, language);
      if (refused.length > 0) return refused;
      // ajv's compiled functions keep their last errors on the function itself; copy them at once.
      if (validator(data)) return [];
      return toFieldErrors(validator.errors ?? [], definition, fields, language);
    },
  });
}

/**
 * Loads every FORMS_DIR/<id>/form.json. All problems of all forms are collected before failing,
 * so an operator fixes them in one go; a registry is only returned when every form loaded.
 */
export async function loadFormRegistry(formsDir: string): Promise<FormRegistry> {
  const forms = new Map<string, CompiledForm>();
  const problems: string[] = [];
  // One ajv for the whole registry: formats and the RE2 engine are set up once.
  const ajv = createDataAjv({ allErrors: true });
  let entries;
  try {
    entries = await readdir(formsDir, { withFileTypes: true });
  } catch (err) {
    throw new StartupError([problem(formsDir, '', `cannot read the forms folder: ${fileSystemReason(err)}`)]);
  }
  const folders: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) folders.push(entry.name);
    else if (entry.isSymbolicLink()) {
      // A linked form folder is loaded like any other; a broken or looping link is reported.
      try {
        if ((await stat(path.join(formsDir, entry.name))).isDirectory()) folders.push(entry.name);
      } catch (err) {
        problems.push(problem(path.join(formsDir, entry.name), '', `is a symbolic link that ${fileSystemReason(err) === 'does not exist (ENOENT)' ? 'points nowhere (ENOENT)' : `cannot be followed: ${fileSystemReason(err)}`}`));
      }
    }
  }
  for (const name of folders.sort((a, b) => a.localeCompare(b))) {
    const file = path.join(formsDir, name, 'form.json');
    const read = await readConfigJson(file, 'missing form.json');
    if ('problem' in read) {
      problems.push(read.problem);
      continue;
    }
    const sizes = findAbsurdSizes(file, read.raw);
    if (sizes.length > 0) {
      problems.push(...sizes);
      continue;
    }
    try {
      const form = compileForm(file, read.raw, name, ajv);
      forms.set(form.definition.id, form);
    } catch (err) {
      if (err instanceof StartupError) problems.push(...err.problems);
      else throw err;
    }
  }
  if (problems.length > 0) throw new StartupError(problems);
  if (forms.size === 0) throw new StartupError([problem(formsDir, '', 'contains no forms')]);
  const list = Object.freeze([...forms.values()]);
  const ids = Object.freeze(list.map((f) => f.definition.id));
  return Object.freeze({ get: (id: string) => forms.get(id), list: () => list, ids: () => ids });
}
