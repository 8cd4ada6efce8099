/**
 * The benchmark's hash data set: N hashes of 10 mixed fields under keys `bench:hash:<12-digit index>`.
 * The 12-digit, zero-padded index is exactly what `redis-benchmark -r N` puts in place of `__rand_int__`,
 * so the server-ceiling run hits the same keys the library reads.
 */

export const HASH_KEY_PREFIX = "bench:hash:";
export const HASH_KEY_PATTERN = `${HASH_KEY_PREFIX}*`;
/** The key template redis-benchmark expands with `-r N` (0 ≤ index < N, 12 digits). */
export const HASH_KEY_BENCHMARK_TEMPLATE = `${HASH_KEY_PREFIX}__rand_int__`;

/** Field name → the dtype a reader should produce for it (names of nodejs-polars dtypes). */
export const HASH_FIELDS = {
  name: "Utf8",
  email: "Utf8",
  city: "Utf8",
  age: "Int64",
  visits: "Int64",
  score: "Float64",
  balance: "Float64",
  active: "Boolean",
  created_at: "Datetime",
  birthday: "Date",
} as const;

export type HashFieldName = keyof typeof HASH_FIELDS;
export const HASH_FIELD_NAMES = Object.keys(HASH_FIELDS) as HashFieldName[];

/** The 3-field projection the benchmark compares with a full read: one string, one integer, one float. */
export const HASH_PROJECTION: readonly HashFieldName[] = ["city", "age", "score"];

const CITIES = [
  "Amsterdam",
  "Berlin",
  "Cairo",
  "Dublin",
  "Edinburgh",
  "Florence",
  "Geneva",
  "Helsinki",
  "Istanbul",
  "Jakarta",
  "Kyoto",
  "Lisbon",
  "Madrid",
  "Nairobi",
  "Oslo",
  "Paris",
  "Quito",
  "Rome",
  "São Paulo",
  "Tokyo",
  "Utrecht",
  "Valencia",
  "Warsaw",
  "Xi'an",
  "Yokohama",
  "Zürich",
];

export function hashKey(index: number): string {
  return HASH_KEY_PREFIX + String(index).padStart(12, "0");
}

/** A cheap, deterministic 32-bit mix of the index, so values look varied but every run loads the same data. */
function mix(index: number, salt: number): number {
  let x = (index + 1) * 0x9e3779b1 + salt * 0x85ebca6b;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The 10 field/value pairs of hash `index`, as HSET arguments (field, value, field, value, ...). */
export function hashFieldValues(index: number): string[] {
  const day = 1 + (mix(index, 7) % 28);
  const month = 1 + (mix(index, 8) % 12);
  const pad = (n: number) => String(n).padStart(2, "0");
  const createdMs = 1_600_000_000_000 + (mix(index, 9) % 100_000_000) * 1000 + (index % 1000);
  return [
    "name",
    `user-${index}`,
    "email",
    `user${index}@example.com`,
    "city",
    CITIES[mix(index, 1) % CITIES.length]!,
    "age",
    String(18 + (mix(index, 2) % 72)),
    "visits",
    String(mix(index, 3) % 1_000_000),
    "score",
    String((mix(index, 4) % 1_000_000) / 1000),
    "balance",
    ((mix(index, 5) % 10_000_000) / 100 - 20_000).toFixed(2),
    "active",
    mix(index, 6) % 2 === 0 ? "true" : "false",
    "created_at",
    new Date(createdMs).toISOString(),
    "birthday",
    `${1950 + (mix(index, 10) % 55)}-${pad(month)}-${pad(day)}`,
  ];
}
