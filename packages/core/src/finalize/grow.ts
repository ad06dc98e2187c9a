/** A typed array at least `length` long, keeping its contents (doubling, so appends stay cheap). */
export const ensureLength = <T extends Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array>(array: T, length: number): T => {
  if (array.length >= length) return array;
  const grown = new (array.constructor as new (length: number) => T)(Math.max(length, array.length * 2, 16));
  grown.set(array);
  return grown;
};
