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

/** Characters of a value a problem line shows at most; the rest is cut off with "…". */
export const MAX_QUOTED_CHARACTERS = 40;

/**
 * A value from an input file as a problem line shows it: in JSON quotes, cut to
 * MAX_QUOTED_CHARACTERS. The file may be anything (a binary given by mistake), and its bytes
 * must not reach the operator's terminal as they are: JSON escapes the C0 controls (ESC too),
 * and the C1 controls and DEL, which JSON leaves alone but a Latin-1 decoded binary is full
 * of (0x9B is a terminal's CSI), are escaped here as well.
 */
export function quote(value: string): string {
  const cut = value.length > MAX_QUOTED_CHARACTERS ? `${value.slice(0, MAX_QUOTED_CHARACTERS)}…` : value;
  return JSON.stringify(cut).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
