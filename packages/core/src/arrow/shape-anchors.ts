/**
 * Objects kept alive for the life of the process, one of each short-lived shape on the hot paths.
 *
 * V8 reaches an object's hidden class (its map) from the class's first map only through weak transitions.
 * When a full collection finds no live object of a map, the map dies, and every optimized function that
 * checked for it is thrown away ("deoptimized: weak objects"). A reader whose objects all die between calls
 * (its decoder, byte columns, Arrow data) then runs its next call in the interpreter until V8 optimizes it
 * again: measured at 1M hashes (tooling/bench/experiments/search-costs.ts), about 3× the client CPU of a warm
 * call, after every full collection (decision 0189). One small live object per shape keeps the maps, and the
 * optimized code, alive.
 */
const anchors: unknown[] = [];

/** Keeps `object` alive for the life of the process (see above); returns it. */
export function anchorShape<T>(object: T): T {
  anchors.push(object);
  return object;
}
