/**
 * better-sqlite3 throws synchronously; callers of an async port expect a rejected promise
 * (`await expect(...).rejects`, `.catch`), never a throw from the call itself.
 */
export function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
