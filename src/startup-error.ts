/**
 * A configuration problem found while starting: a broken form, tenant file or setting. Each
 * problem is one line naming the file, the JSON pointer inside it and the reason; main prints
 * them and exits, so nothing is ever half-loaded.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';

  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

export function problem(file: string, pointer: string, reason: string): string {
  return `${file}: ${pointer === '' ? '/' : pointer}: ${reason}`;
}
