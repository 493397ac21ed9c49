import { compileForm } from '../../src/forms/form-registry';
import { fileQuestionsOf, withoutEmptyFileAnswers } from '../../src/forms/file-questions';
import { StartupError } from '../../src/startup-error';

/** A form with one file question; `schema` and `ui` of the question can be replaced. */
function form(question: Record<string, unknown>, ui: Record<string, unknown>, extraUi: Record<string, unknown> = {}) {
  return {
    id: 'nachweis', version: '1.0.0', serviceKey: '99123456789000', title: { de: 'Nachweis', en: 'Proof' },
    schema: {
      type: 'object', additionalProperties: false, required: ['gemeinde'],
      properties: {
        gemeinde: { type: 'string', pattern: '^[0-9]{12}$' },
        nachweis: question,
        kinder: { type: 'array', items: { type: 'object', properties: { urkunde: question } } },
        name: { type: 'string' },
      },
    },
    ui: { fields: { '/nachweis': ui, ...extraUi } },
    routing: { regionField: '/gemeinde' },
  };
}
const FILES = { type: 'array', items: { type: 'string', format: 'uuid' }, maxItems: 3 };
const UI = { widget: 'file', accept: ['application/pdf', 'image/jpeg'], maxFileBytes: 2_000_000 };

function problemsOf(raw: unknown): string[] {
  try {
    compileForm('forms/nachweis/form.json', raw);
    return [];
  } catch (err) {
    if (err instanceof StartupError) return [...err.problems];
    throw err;
  }
}

describe('file questions in form definitions', () => {
  test('a file question compiles to one leaf with what it accepts, its size cap and its number of files', () => {
    const compiled = compileForm('forms/nachweis/form.json', form(FILES, UI));
    expect(fileQuestionsOf(compiled).map(({ pointer, accept, maxFileBytes, maxFiles }) => ({ pointer, accept, maxFileBytes, maxFiles })))
      .toEqual([{ pointer: '/nachweis', accept: ['application/pdf', 'image/jpeg'], maxFileBytes: 2_000_000, maxFiles: 3 }]);
    expect(compiled.node('/nachweis')).toMatchObject({ kind: 'leaf', widget: 'file', valueType: 'array' });
  });

  test.each([
    ['no accept', form(FILES, { widget: 'file' }), '/ui/fields/~1nachweis/accept: a file question must list the media types it accepts'],
    ['a string instead of an array of ids', form({ type: 'string' }, UI), '/ui/fields/~1nachweis: a file question\'s schema must be'],
    ['items that are not uuids', form({ type: 'array', items: { type: 'string' }, maxItems: 2 }, UI), '/ui/fields/~1nachweis: a file question\'s schema must be'],
    ['no maxItems', form({ type: 'array', items: { type: 'string', format: 'uuid' } }, UI), 'needs "maxItems" from 1 to 20'],
    ['more than 20 files', form({ ...FILES, maxItems: 21 }, UI), 'needs "maxItems" from 1 to 20'],
    ['inside a list', form(FILES, UI, { '/kinder/*/urkunde': UI }), '/ui/fields/~1kinder~1*~1urkunde: a file question cannot be inside a list (*)'],
    ['accept on another widget', form(FILES, UI, { '/name': { accept: ['application/pdf'] } }), '/ui/fields/~1name/accept: is only for file questions'],
  ])('%s stops the load with file: pointer: reason', (_name, raw, expected) => {
    const problems = problemsOf(raw);
    expect(problems).toEqual([expect.stringContaining(expected)]);
    expect(problems[0]).toMatch(/^forms\/nachweis\/form\.json: \//);
  });

  test('an unknown media type in accept is refused by the definition schema', () => {
    expect(problemsOf(form(FILES, { ...UI, accept: ['application/zip'] }))).toEqual([expect.stringContaining('/ui/fields/~1nachweis/accept/0')]);
  });

  test('no file is no answer: an empty list at a required file question asks for the upload (without minItems too); minItems above one says how many', () => {
    const required = { ...form(FILES, UI), schema: { ...form(FILES, UI).schema, required: ['gemeinde', 'nachweis'] } };
    const compiled = compileForm('forms/nachweis/form.json', required);
    const answers = { gemeinde: '160510000000', nachweis: [] as string[] };
    // The schema alone takes the empty list (no minItems): the answers without it do not.
    expect(compiled.validate(answers, 'de')).toEqual([]);
    const given = withoutEmptyFileAnswers(compiled, answers);
    expect(given).toEqual({ gemeinde: '160510000000' });
    expect(answers.nachweis).toEqual([]);
    expect(compiled.validate(given, 'de')).toEqual([{ pointer: '/nachweis', message: expect.stringContaining('Bitte laden Sie die Datei hoch.') }]);
    // A list with files, and answers without the question, stay as they are.
    const one = { gemeinde: '160510000000', nachweis: ['0b6f3c1e-5d2a-4f7e-9c1b-2a3d4e5f6a7b'] };
    expect(withoutEmptyFileAnswers(compiled, one)).toBe(one);

    const three = compileForm('forms/nachweis/form.json', form({ ...FILES, minItems: 3, maxItems: 4 }, UI));
    expect(three.validate({ gemeinde: '160510000000', nachweis: ['0b6f3c1e-5d2a-4f7e-9c1b-2a3d4e5f6a7b'] }, 'de'))
      .toEqual([{ pointer: '/nachweis', message: expect.stringContaining('Bitte laden Sie mindestens 3 Dateien hoch.') }]);
    expect(three.validate({ gemeinde: '160510000000', nachweis: ['0b6f3c1e-5d2a-4f7e-9c1b-2a3d4e5f6a7b'] }, 'en'))
      .toEqual([{ pointer: '/nachweis', message: expect.stringContaining('Please upload at least 3 files.') }]);
  });
});
