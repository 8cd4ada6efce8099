import { checkCount } from "./check-count.js";
import { type Seed, SeededRandom } from "./seeded-random.js";
import { CITIES, FIRST_NAMES, LAST_NAMES, TAGS, WORDS } from "./vocabulary.js";

/** A generated JSON document: scalars of every JSON type, a nested object, and arrays of scalars and objects. */
export interface JsonDocument {
  id: number;
  name: string;
  active: boolean;
  score: number;
  /** null for some documents: JSON null, not a missing field. */
  nickname: string | null;
  createdAt: string;
  tags: string[];
  address: { city: string; zip: string; geo: { lat: number; lon: number } };
  orders: Array<{ sku: string; quantity: number; price: number }>;
}

export interface GeneratedJsonDocuments {
  readonly keys: string[];
  readonly documents: JsonDocument[];
}

export interface GenerateJsonDocumentsOptions {
  count: number;
  seed?: Seed | undefined;
  keyPrefix?: string | undefined;
  /** Most orders a document carries [4]; some documents have none (an empty array). */
  maxOrders?: number | undefined;
}

const START_2020 = Date.UTC(2020, 0, 1);

/** JSON documents with nested objects and arrays, the same for the same seed. Keys are `<keyPrefix><index>`. */
export function generateJsonDocuments({
  count,
  seed = 1,
  keyPrefix = "doc:",
  maxOrders = 4,
}: GenerateJsonDocumentsOptions): GeneratedJsonDocuments {
  checkCount(count);
  checkCount(maxOrders, "maxOrders");
  const random = new SeededRandom(`json:${seed}`);
  const keys = new Array<string>(count);
  const documents = new Array<JsonDocument>(count);
  for (let index = 0; index < count; index++) {
    keys[index] = `${keyPrefix}${index}`;
    const orderCount = random.int(0, maxOrders);
    const tagCount = random.int(0, 3);
    documents[index] = {
      id: index + 1,
      name: `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`,
      active: random.chance(0.7),
      score: Math.round(random.float(0, 100) * 100) / 100,
      nickname: random.chance(0.3) ? null : random.pick(WORDS),
      createdAt: new Date(START_2020 + random.int(0, 157_680_000) * 1000).toISOString(),
      tags: Array.from({ length: tagCount }, () => random.pick(TAGS)),
      address: {
        city: random.pick(CITIES),
        zip: String(random.int(10_000, 99_999)),
        geo: {
          lat: Math.round(random.float(-90, 90) * 1e6) / 1e6,
          lon: Math.round(random.float(-180, 180) * 1e6) / 1e6,
        },
      },
      orders: Array.from({ length: orderCount }, () => ({
        sku: `SKU-${random.int(1, 500).toString().padStart(4, "0")}`,
        quantity: random.int(1, 10),
        price: Math.round(random.float(1, 500) * 100) / 100,
      })),
    };
  }
  return { keys, documents };
}
