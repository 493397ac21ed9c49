/**
 * An object that always answers as the one `current()` returns now: each property read goes to
 * the current object, its methods bound to it (the same bound function each time, so a method
 * read twice compares equal, as on the object itself). For callers outside a request (tests,
 * entry points' log lines) that hold on to "the forms" or "the routing table" across reloads.
 * Requests never use it: they keep the set they started on.
 */
export function currentView<T extends object>(current: () => T): T {
  const bound = new WeakMap<object, Map<PropertyKey, unknown>>();
  const read = (target: object, property: PropertyKey, value: unknown): unknown => {
    if (typeof value !== 'function') return value;
    let methods = bound.get(target);
    if (!methods) bound.set(target, (methods = new Map<PropertyKey, unknown>()));
    if (!methods.has(property)) methods.set(property, (value as (...args: unknown[]) => unknown).bind(target));
    return methods.get(property);
  };
  return new Proxy({} as T, {
    get(_view, property) {
      const target = current();
      return read(target, property, Reflect.get(target, property, target));
    },
    has: (_view, property) => Reflect.has(current(), property),
    ownKeys: () => Reflect.ownKeys(current()),
    getOwnPropertyDescriptor: (_view, property) => {
      const target = current();
      const descriptor = Reflect.getOwnPropertyDescriptor(target, property);
      if (!descriptor) return undefined;
      // Configurable, since the view's own (empty) target does not have the property.
      return 'value' in descriptor ? { ...descriptor, value: read(target, property, descriptor.value), configurable: true } : { ...descriptor, configurable: true };
    },
  });
}
