import { checkCount } from "./check-count.js";
import { type Seed, SeededRandom } from "./seeded-random.js";
import { REGIONS, TABLES } from "./vocabulary.js";

export type ChangeOperation = "insert" | "update" | "delete";

/** Change events as columns, in stream order. */
export interface ChangeEventColumns {
  readonly op: ChangeOperation[];
  readonly table: string[];
  /** The changed row's id (per table, so the same id recurs as a row is updated and deleted). */
  readonly id: number[];
  readonly region: string[];
  /** Null for deletes (the field is left out of the entry). */
  readonly amount: Array<number | null>;
  /** Event time, epoch ms, non-decreasing. */
  readonly ts: number[];
}

export interface GeneratedChangeEvents {
  readonly count: number;
  /** Explicit stream entry ids `<ts>-<seq>`, strictly increasing, so a replay writes the same ids. */
  readonly entryIds: string[];
  readonly columns: ChangeEventColumns;
  /** The XADD field/value pairs of event `index`. */
  fieldsOf(index: number): string[];
}

export interface GenerateChangeEventsOptions {
  count: number;
  seed?: Seed | undefined;
  /** Time of the first event, epoch ms [2024-01-01T00:00:00Z]. */
  startMs?: number | undefined;
  /** Mean gap between events in ms [5]; several events may share a millisecond. */
  meanGapMs?: number | undefined;
  tables?: readonly string[] | undefined;
  regions?: readonly string[] | undefined;
}

/**
 * A stream of change events `{ op, table, id, region, amount, ts }`, the source of the routing pipeline:
 * inserts come first for a row, then updates, sometimes a delete. The same seed gives the same stream.
 */
export function generateChangeEvents({
  count,
  seed = 1,
  startMs = Date.UTC(2024, 0, 1),
  meanGapMs = 5,
  tables = TABLES,
  regions = REGIONS,
}: GenerateChangeEventsOptions): GeneratedChangeEvents {
  checkCount(count);
  if (tables.length === 0 || regions.length === 0)
    throw new RangeError("tables and regions must not be empty");
  const random = new SeededRandom(`events:${seed}`);
  const columns: ChangeEventColumns = {
    op: new Array(count),
    table: new Array(count),
    id: new Array(count),
    region: new Array(count),
    amount: new Array(count),
    ts: new Array(count),
  };
  const entryIds = new Array<string>(count);
  /** Live row ids per table, with the region each row lives in. */
  const live = new Map<string, Array<{ id: number; region: string }>>(tables.map((table) => [table, []]));
  let nextId = 1;
  let ts = startMs;
  let sequence = 0;
  for (let index = 0; index < count; index++) {
    const gap = Math.round(random.float(0, 2 * meanGapMs));
    if (gap > 0) {
      ts += gap;
      sequence = 0;
    } else if (index > 0) {
      sequence++;
    }
    const table = random.pick(tables);
    const rows = live.get(table)!;
    const roll = random.next();
    let op: ChangeOperation;
    let row: { id: number; region: string };
    if (rows.length === 0 || roll < 0.5) {
      op = "insert";
      row = { id: nextId++, region: random.pick(regions) };
      rows.push(row);
    } else if (roll < 0.9) {
      op = "update";
      row = random.pick(rows);
    } else {
      op = "delete";
      const position = random.int(0, rows.length - 1);
      row = rows[position]!;
      rows.splice(position, 1);
    }
    columns.op[index] = op;
    columns.table[index] = table;
    columns.id[index] = row.id;
    columns.region[index] = row.region;
    columns.amount[index] = op === "delete" ? null : Math.round(random.float(0.01, 5_000) * 100) / 100;
    columns.ts[index] = ts;
    entryIds[index] = `${ts}-${sequence}`;
  }
  const fieldsOf = (index: number): string[] => {
    const fields = [
      "op",
      columns.op[index]!,
      "table",
      columns.table[index]!,
      "id",
      String(columns.id[index]),
      "region",
      columns.region[index]!,
    ];
    const amount = columns.amount[index];
    if (amount !== null && amount !== undefined) fields.push("amount", String(amount));
    fields.push("ts", String(columns.ts[index]));
    return fields;
  };
  return { count, entryIds, columns, fieldsOf };
}
