import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { GERMAN_FORMATS } from './german-formats';
import { linearRegExpEngine } from './linear-regexp';

/**
 * The ajv for answers (validation and the conditions of the page model alike), so both judge a
 * pattern or format the same way. Not strict: any valid draft 2020-12 schema must load,
 * including idioms strict mode rejects (`then: {required: [...]}`, `const` without `type`,
 * unknown annotation keywords). Schema patterns run on RE2 (see linear-regexp.ts).
 */
export function createDataAjv(options: { readonly allErrors: boolean }): Ajv2020 {
  const ajv = new Ajv2020({
    strict: false,
    allErrors: options.allErrors,
    allowUnionTypes: true,
    logger: false,
    // Citizens read messages of our own (validation-messages.ts); ajv's would only cost time.
    messages: false,
    // ajv's optimisation pass (dropping unused names, inlining constants in the generated source)
    // changes nothing a validator decides, only how its source reads; it was about 40 % of every
    // compile, at each start and reload (the meta-schema, every form schema, every condition),
    // and the validators are no slower without it (V8 compiles the source either way).
    code: { regExp: linearRegExpEngine, optimize: false },
  });
  addFormats(ajv);
  for (const [name, check] of Object.entries(GERMAN_FORMATS)) ajv.addFormat(name, { type: 'string', validate: check });
  return ajv;
}
