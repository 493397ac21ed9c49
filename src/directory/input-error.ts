/**
 * An input file of an import (the municipality directory, a postal-code list) that does not fit
 * its format. Each problem is one `file:line: reason` line (or `file: reason` for the file as a
 * whole), so an operator can jump to it; the import writes nothing when one is thrown.
 */
export class InputError extends Error {
  override readonly name = 'InputError';

  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

export function lineProblem(file: string, line: number, reason: string): string {
  return `${file}:${line}: ${reason}`;
}

/** Problems reported per file at most; the rest are counted, since one fix often clears them. */
export const MAX_LINE_PROBLEMS = 20;

/** Collects line problems up to MAX_LINE_PROBLEMS and throws them all at the end. */
export class LineProblems {
  private readonly lines: string[] = [];
  private more = 0;

  constructor(private readonly file: string) {}

  add(line: number, reason: string): void {
    if (this.lines.length < MAX_LINE_PROBLEMS) this.lines.push(lineProblem(this.file, line, reason));
    else this.more++;
  }

  get count(): number {
    return this.lines.length + this.more;
  }

  /** Throws an InputError with every problem collected, if there is one. */
  throwIfAny(): void {
    if (this.lines.length === 0) return;
    const tail = this.more > 0 ? [`${this.file}: ${this.more} more lines do not fit either`] : [];
    throw new InputError([...this.lines, ...tail]);
  }
}
