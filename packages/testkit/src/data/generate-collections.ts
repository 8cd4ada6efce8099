import { checkCount } from "./check-count.js";
import { type Seed, SeededRandom } from "./seeded-random.js";
import { WORDS } from "./vocabulary.js";

export interface CollectionOptions {
  count: number;
  seed?: Seed | undefined;
  keyPrefix?: string | undefined;
  /** Members per key: a fixed number, or `[min, max]` drawn per key [[1, 20]]. */
  membersPerKey?: number | readonly [number, number] | undefined;
}

export interface GeneratedSets {
  readonly keys: string[];
  /** Distinct members per key. */
  readonly members: string[][];
}

export interface GeneratedLists {
  readonly keys: string[];
  /** Items per key, in list order (duplicates allowed, as in a real list). */
  readonly items: string[][];
}

export interface GeneratedSortedSets {
  readonly keys: string[];
  /** Distinct members per key with their scores, in ascending score order (ZRANGE order). */
  readonly entries: Array<Array<{ member: string; score: number }>>;
}

/** Sets of distinct members, the same for the same seed. */
export function generateSets(options: CollectionOptions): GeneratedSets {
  const { keys, sizes, random } = prepare("sets", "set:", options);
  const members = sizes.map((size) => {
    const distinct = new Set<string>();
    while (distinct.size < size) distinct.add(`${random.pick(WORDS)}-${random.int(0, size * 10)}`);
    return [...distinct];
  });
  return { keys, members };
}

/** Lists whose items may repeat, the same for the same seed. */
export function generateLists(options: CollectionOptions): GeneratedLists {
  const { keys, sizes, random } = prepare("lists", "list:", options);
  const items = sizes.map((size) =>
    Array.from({ length: size }, () => `${random.pick(WORDS)}-${random.int(0, 99)}`),
  );
  return { keys, items };
}

/** Sorted sets with distinct members and scores (negative and fractional ones included). */
export function generateSortedSets(options: CollectionOptions): GeneratedSortedSets {
  const { keys, sizes, random } = prepare("zsets", "zset:", options);
  const entries = sizes.map((size) => {
    const members = new Map<string, number>();
    while (members.size < size) {
      members.set(
        `${random.pick(WORDS)}-${random.int(0, size * 10)}`,
        Math.round(random.float(-100, 1000) * 100) / 100,
      );
    }
    // ZRANGE order: by score, then by member bytes.
    return [...members]
      .map(([member, score]) => ({ member, score }))
      .sort((a, b) => a.score - b.score || Buffer.compare(Buffer.from(a.member), Buffer.from(b.member)));
  });
  return { keys, entries };
}

function prepare(kind: string, defaultPrefix: string, options: CollectionOptions) {
  const { count, seed = 1, keyPrefix = defaultPrefix, membersPerKey = [1, 20] } = options;
  checkCount(count);
  const [min, max] = typeof membersPerKey === "number" ? [membersPerKey, membersPerKey] : membersPerKey;
  checkCount(min, "membersPerKey");
  checkCount(max, "membersPerKey");
  if (max < min) throw new RangeError(`membersPerKey range [${min}, ${max}] is empty`);
  const random = new SeededRandom(`${kind}:${seed}`);
  const keys = Array.from({ length: count }, (_, index) => `${keyPrefix}${index}`);
  const sizes = keys.map(() => random.int(min, max));
  return { keys, sizes, random };
}
