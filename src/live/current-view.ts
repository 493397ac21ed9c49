/**
 * An object that always answers as the one `current()` returns now: each property read goes to
 * the current object (methods bound to it). For callers outside a request (tests, entry points'
 * log lines) that hold on to "the forms" or "the routing table" across reloads. Requests never
 * use it: they keep the set they started on.
 */
export function currentView<T extends object>(current: () => T): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const target = current();
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    has: (_target, property) => Reflect.has(current(), property),
    ownKeys: () => Reflect.ownKeys(current()),
    getOwnPropertyDescriptor: (_target, property) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(current(), property);
      return descriptor ? { ...descriptor, configurable: true } : undefined;
    },
  });
}
