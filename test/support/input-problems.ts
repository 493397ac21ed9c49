import { InputError } from '../../src/directory/input-error';

/** The problems of the InputError `parse` throws, or a failure when it throws none. */
export function problemsOf(parse: () => unknown): readonly string[] {
  try {
    parse();
  } catch (err) {
    if (err instanceof InputError) return err.problems;
    throw err;
  }
  throw new Error('expected an InputError');
}
