/** Scaffolding while the adapter is written: every method rejects. Removed once each port is implemented. */
export function notYet<T extends object>(port: string): T {
  return new Proxy({} as T, { get: (_t, name) => () => Promise.reject(new Error(`${port}.${String(name)}: not implemented on PostgreSQL yet`)) });
}
