/**
 * Records keyed by names from the input (elements, attributes) stay plain objects, which V8 keeps fast;
 * they are read with Object.hasOwn, and "__proto__" is written as an own property, not as the prototype.
 */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__')
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

export function getOwn<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
