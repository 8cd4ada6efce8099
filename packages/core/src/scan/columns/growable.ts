type TypedArray = Float64Array | Float32Array | Int32Array | BigInt64Array | Uint8Array;

/** A typed array twice as long, holding the old contents. */
export function grow<T extends TypedArray>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(Math.max(16, array.length * 2));
  bigger.set(array as never);
  return bigger;
}
