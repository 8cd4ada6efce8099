import pl from "nodejs-polars";
import { checkCount } from "./check-count.js";
import { type Seed, SeededRandom } from "./seeded-random.js";
import { CITIES, FIRST_NAMES, LAST_NAMES } from "./vocabulary.js";

/** The dtype each generated hash field should be read as. */
export const HASH_SCHEMA = {
  id: "int64",
  score: "float64",
  active: "boolean",
  birthday: "date",
  updatedAt: "datetime",
  name: "utf8",
  city: "utf8",
} as const;

export type HashField = keyof typeof HASH_SCHEMA;

/** One array per field, index-aligned with `keys`; `null` means the field is absent from that hash. */
export interface HashColumns {
  /** Int64; beyond 2^31 on purpose, negative for some rows; never null. */
  readonly id: number[];
  readonly score: Array<number | null>;
  readonly active: Array<boolean | null>;
  /** `YYYY-MM-DD` as stored. */
  readonly birthday: Array<string | null>;
  /** Epoch milliseconds; stored as ISO 8601 UTC (`2024-03-01T12:34:56.789Z`). */
  readonly updatedAt: Array<number | null>;
  /** Unicode: accents, CJK, Cyrillic, Arabic, emoji, quotes. */
  readonly name: Array<string | null>;
  readonly city: Array<string | null>;
}

export interface GeneratedHashes {
  readonly keys: string[];
  readonly columns: HashColumns;
  readonly schema: typeof HASH_SCHEMA;
  /** The `HSET` field/value pairs of hash `index`, absent fields left out. */
  fieldsOf(index: number): string[];
  /** The frame a reader should produce: `_key`, then every field with its dtype (Datetime in µs, UTC). */
  toFrame(): pl.DataFrame;
}

export interface GenerateHashesOptions {
  count: number;
  seed?: Seed | undefined;
  keyPrefix?: string | undefined;
  /** Probability that an optional field (all but `id`) is absent [0.05]. */
  nullRate?: number | undefined;
}

const DAY_MS = 86_400_000;
const START_2020 = Date.UTC(2020, 0, 1);

/** Hashes with mixed-dtype fields, the same for the same seed. Keys are `<keyPrefix><index>`. */
export function generateHashes({
  count,
  seed = 1,
  keyPrefix = "hash:",
  nullRate = 0.05,
}: GenerateHashesOptions): GeneratedHashes {
  checkCount(count);
  if (!(nullRate >= 0 && nullRate <= 1)) throw new RangeError(`nullRate must be in [0, 1], got ${nullRate}`);
  const random = new SeededRandom(`hashes:${seed}`);
  const keys = new Array<string>(count);
  const columns: HashColumns = {
    id: new Array(count),
    score: new Array(count),
    active: new Array(count),
    birthday: new Array(count),
    updatedAt: new Array(count),
    name: new Array(count),
    city: new Array(count),
  };
  const optional = <T>(value: () => T): T | null => (random.chance(nullRate) ? null : value());
  for (let index = 0; index < count; index++) {
    keys[index] = `${keyPrefix}${index}`;
    columns.id[index] = (index % 7 === 3 ? -1 : 1) * (3_000_000_000 + index * 7919);
    columns.score[index] = optional(() => Math.round(random.float(-1_000, 100_000) * 1000) / 1000);
    columns.active[index] = optional(() => random.chance(0.6));
    columns.birthday[index] = optional(() =>
      new Date(Date.UTC(1950, 0, 1) + random.int(0, 20_000) * DAY_MS).toISOString().slice(0, 10),
    );
    columns.updatedAt[index] = optional(() => START_2020 + random.int(0, 5 * 365 * DAY_MS));
    columns.name[index] = optional(() => `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`);
    columns.city[index] = optional(() => random.pick(CITIES));
  }
  return {
    keys,
    columns,
    schema: HASH_SCHEMA,
    fieldsOf: (index) => hashFields(columns, index),
    toFrame: () => hashFrame(keys, columns),
  };
}

function hashFields(columns: HashColumns, index: number): string[] {
  const fields: string[] = ["id", String(columns.id[index])];
  const add = (name: string, value: string | null) => {
    if (value !== null) fields.push(name, value);
  };
  const score = columns.score[index]!;
  const active = columns.active[index]!;
  const updatedAt = columns.updatedAt[index]!;
  add("score", score === null ? null : String(score));
  add("active", active === null ? null : String(active));
  add("birthday", columns.birthday[index]!);
  add("updatedAt", updatedAt === null ? null : new Date(updatedAt).toISOString());
  add("name", columns.name[index]!);
  add("city", columns.city[index]!);
  return fields;
}

function hashFrame(keys: string[], columns: HashColumns): pl.DataFrame {
  const dates = (values: Array<number | null>) => values.map((ms) => (ms === null ? null : new Date(ms)));
  return pl.DataFrame([
    pl.Series("_key", keys, pl.Utf8),
    pl.Series("id", columns.id, pl.Int64),
    pl.Series("score", columns.score, pl.Float64),
    pl.Series("active", columns.active, pl.Bool),
    pl
      .Series(
        "birthday",
        dates(columns.birthday.map((day) => (day === null ? null : Date.parse(`${day}T00:00:00Z`)))),
      )
      .cast(pl.Date),
    pl.Series("updatedAt", dates(columns.updatedAt)).cast(pl.Datetime("us", "UTC")),
    pl.Series("name", columns.name, pl.Utf8),
    pl.Series("city", columns.city, pl.Utf8),
  ]);
}
