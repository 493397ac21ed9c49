/**
 * Structured logging as JSON lines. Callers pass an event name and a few identifiers
 * (reference numbers, form and authority ids, error codes): never answers, names, addresses or
 * e-mail addresses, which is why fields only take primitive values.
 */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export function createJsonLogger(write: (line: string) => void, now: () => Date = () => new Date()): Logger {
  const log = (level: string) => (event: string, fields: LogFields = {}) => {
    write(`${JSON.stringify({ time: now().toISOString(), level, event, ...fields })}\n`);
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** For tests that want to assert on what was logged. */
export function createMemoryLogger(): Logger & { readonly lines: Array<{ level: string; event: string; fields: LogFields }> } {
  const lines: Array<{ level: string; event: string; fields: LogFields }> = [];
  const log = (level: string) => (event: string, fields: LogFields = {}) => {
    lines.push({ level, event, fields });
  };
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}
