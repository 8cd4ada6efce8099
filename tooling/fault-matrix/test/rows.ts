import {
  type Command,
  type RedisConnection,
  type RedisReply,
  scanHashes,
  scanStrings,
  WriteResult,
} from "@polars-redis/core";
import { all, createIndex, field, scanSearch } from "@polars-redis/search";
import { createConsumer, createRouter } from "@polars-redis/streams";
import { waitFor } from "@polars-redis/testkit";
import { redisHashSink, writeHashes, writeSets, writeStrings } from "@polars-redis/writer";
import pl, { type DataFrame } from "nodejs-polars";
import { expect } from "vitest";
import type { Target } from "./faults.js";

/** The rows of the matrix. */
export type RowId =
  | "read-pattern"
  | "read-keys"
  | "read-strings"
  | "search-scan"
  | "hashes-replace"
  | "hashes-append"
  | "hashes-fail"
  | "strings-replace"
  | "sets-replace"
  | "stream-consumer"
  | "router-hash-sink";

/** One cell's world: its keys, a healthy connection for setup and checks, the connection the fault strikes. */
export interface Cell {
  readonly target: Target;
  /** Every key of the cell starts with `${prefix}:`. */
  readonly prefix: string;
  /** The cell's data keys (on a cluster, half of them in the cell's own slot range). */
  readonly keys: readonly string[];
  /** A key in the cell's slot range (cluster) for a row's single key, such as a stream. */
  readonly singleKey: string;
  /** Not through the fault: for preparing data and checking it afterwards. */
  readonly direct: RedisConnection;
  /** The connection the operation uses. */
  readonly conn: RedisConnection;
  /** Strikes the cell's fault (once) and resolves when it is in force. */
  readonly midway: () => Promise<void>;
}

/** What an operation returned. */
export type RunResult =
  | { readonly kind: "read"; readonly keys: string[]; readonly values: number[] }
  | { readonly kind: "write"; readonly result: WriteResult }
  | { readonly kind: "stream"; readonly handled: ReadonlySet<string>; readonly expected: number };

export interface Row {
  readonly id: RowId;
  readonly label: string;
  readonly kind: "read" | "write" | "stream";
  readonly targets: readonly Target[];
  /** Stores the data the operation starts from, through `cell.direct`. */
  prepare(cell: Cell): Promise<void>;
  /** The operation, through `cell.conn`; it calls `cell.midway()` once it is under way. */
  run(cell: Cell): Promise<RunResult>;
  /**
   * After the fault is healed, through `cell.direct`: what Redis holds is consistent with the operation's
   * outcome (`result` undefined when it threw). For writes: every key holds its old or its new value, never
   * neither; keys reported written hold the new one, keys reported failed the old one.
   */
  verify(cell: Cell, result: RunResult | undefined): Promise<void>;
}

const schema = { n: pl.Int64, name: pl.Utf8 };
const READ_BATCH = 250;
const WRITE_BATCH = 100;

async function batchOk(conn: RedisConnection, commands: readonly Command[]): Promise<RedisReply[]> {
  const replies = await conn.batch(commands, { chunkSize: 1000 });
  const failure = replies.find((reply) => reply instanceof Error);
  if (failure !== undefined) throw failure;
  return replies as RedisReply[];
}

function indexOfKey(key: string): number {
  return Number(key.slice(key.lastIndexOf(":") + 1));
}

/** Reads pages through a scan, striking the fault after the first frame (the read is then mid-way). */
async function readFrames(
  cell: Cell,
  frames: AsyncIterable<DataFrame>,
  valueColumn: string,
): Promise<RunResult> {
  const keys: string[] = [];
  const values: number[] = [];
  let first = true;
  for await (const frame of frames) {
    keys.push(...(frame.getColumn("_key").toArray() as string[]));
    values.push(...(frame.getColumn(valueColumn).toArray() as Array<number | bigint | string>).map(Number));
    if (first) {
      first = false;
      await cell.midway();
    }
  }
  return { kind: "read", keys, values };
}

function readRow(id: RowId, label: string, prepare: Row["prepare"], run: Row["run"]): Row {
  return {
    id,
    label,
    kind: "read",
    targets: ["server", "cluster"],
    prepare,
    run,
    verify: async () => undefined,
  };
}

const hashData = async (cell: Cell): Promise<void> => {
  await batchOk(
    cell.direct,
    cell.keys.map((key): Command => ["HSET", key, "n", String(indexOfKey(key)), "name", key]),
  );
};

/** The states a hash may be in after a write of `v = new` (`extra` only in the old version). */
type HashState = "old" | "new" | "absent" | "other";

/**
 * A write row: the old version is stored first, then the new one is written in two calls: the fault strikes
 * when the first call reports its first batch, and the second call runs entirely under the fault.
 */
function writeRow(
  id: RowId,
  label: string,
  options: {
    readonly prepare: (cell: Cell) => Promise<void>;
    readonly write: (cell: Cell, keys: readonly string[], onFirstBatch: () => void) => Promise<WriteResult>;
    /** Classifies what a key holds now; `existed` says whether it held the old version before the write. */
    readonly stateOf: (cell: Cell, keys: readonly string[]) => Promise<HashState[]>;
    /** Keys that held nothing before the write (fail mode writes only those). */
    readonly absentBefore?: (key: string) => boolean;
  },
): Row {
  return {
    id,
    label,
    kind: "write",
    targets: ["server", "cluster"],
    prepare: options.prepare,
    run: async (cell) => {
      const half = Math.floor(cell.keys.length / 2);
      let struck: Promise<void> | undefined;
      const strike = () => {
        struck ??= cell.midway();
        struck.catch(() => undefined);
      };
      const first = await options.write(cell, cell.keys.slice(0, half), strike);
      strike();
      await struck;
      const second = await options.write(cell, cell.keys.slice(half), () => undefined);
      return { kind: "write", result: WriteResult.merge([first, second]) };
    },
    verify: async (cell, result) => {
      const states = await options.stateOf(cell, cell.keys);
      const report = result?.kind === "write" ? result.result : undefined;
      const failed = new Set(report?.failedKeys() ?? []);
      const skipped = new Set(report?.skippedKeys ?? []);
      const problems: string[] = [];
      cell.keys.forEach((key, i) => {
        const state = states[i]!;
        const before = options.absentBefore?.(key) ? "absent" : "old";
        if (state !== before && state !== "new") {
          problems.push(`${key}: ${state} (before: ${before})`);
          return;
        }
        if (report === undefined) return;
        if (failed.has(key)) {
          // A key whose reply was lost (outcome "unknown") may have been applied; a rejected one was not.
          const outcome = (report.errors.get(key) as { outcome?: string } | undefined)?.outcome;
          if (outcome !== "unknown" && state !== before) {
            problems.push(`${key}: ${state}, but reported failed (${outcome ?? "no outcome"})`);
          }
        } else if (skipped.has(key)) {
          // "fail" mode: a key that existed when it was checked. A retry after a lost reply finds the key the
          // lost attempt wrote, so a key absent before may hold the new value and be reported skipped.
          if (state !== before && before !== "absent")
            problems.push(`${key}: ${state}, but reported skipped`);
        } else if (state !== "new") {
          problems.push(`${key}: ${state}, but reported written`);
        }
      });
      expect(
        problems.slice(0, 10),
        `${problems.length} keys hold neither their old nor their new value, or not what the result reports`,
      ).toEqual([]);
    },
  };
}

function hashesWrite(mode: "replace" | "append" | "fail") {
  return (cell: Cell, keys: readonly string[], onFirstBatch: () => void) =>
    writeHashes(cell.conn, pl.DataFrame({ _key: keys, v: keys.map(() => "new") }), {
      ifExists: mode,
      batchSize: WRITE_BATCH,
      parallel: 1,
      onProgress: onFirstBatch,
    });
}

async function hashStates(cell: Cell, keys: readonly string[], mode: "replace" | "append" | "fail") {
  const replies = await batchOk(
    cell.direct,
    keys.map((key): Command => ["HGETALL", key]),
  );
  return replies.map((reply): HashState => {
    const flat = reply as string[];
    if (flat.length === 0) return "absent";
    const record = new Map<string, string>();
    for (let i = 0; i < flat.length; i += 2) record.set(flat[i]!, flat[i + 1]!);
    const v = record.get("v");
    const extra = record.get("extra");
    if (v === "old" && extra === "old" && record.size === 2) return "old";
    if (v === "new") {
      if (mode === "append" && extra === "old" && record.size === 2) return "new";
      if (mode !== "append" && record.size === 1) return "new";
    }
    return "other";
  });
}

const oldHashes = (only?: (key: string) => boolean) => async (cell: Cell) => {
  const keys = only === undefined ? cell.keys : cell.keys.filter((key) => only(key));
  await batchOk(
    cell.direct,
    keys.map((key): Command => ["HSET", key, "v", "old", "extra", "old"]),
  );
};

const oddKey = (key: string) => indexOfKey(key) % 2 === 1;

export const ROWS: readonly Row[] = [
  readRow("read-pattern", "readHashes by pattern (SCAN + the raw read path)", hashData, (cell) =>
    readFrames(
      cell,
      scanHashes(cell.conn, { pattern: `${cell.prefix}:*`, schema, batchSize: READ_BATCH }),
      "n",
    ),
  ),
  readRow("read-keys", "readHashes by key list (the raw read path)", hashData, (cell) =>
    readFrames(cell, scanHashes(cell.conn, { keys: cell.keys, schema, batchSize: READ_BATCH }), "n"),
  ),
  readRow(
    "read-strings",
    "readStrings by pattern (SCAN + MGET batches)",
    async (cell) => {
      await batchOk(
        cell.direct,
        cell.keys.map((key): Command => ["SET", key, String(indexOfKey(key))]),
      );
    },
    (cell) =>
      readFrames(
        cell,
        scanStrings(cell.conn, { pattern: `${cell.prefix}:*`, batchSize: READ_BATCH }),
        "value",
      ),
  ),
  {
    // RediSearch on the one server (an index lives on one node: docs/decisions/0184): scanSearch reads its
    // cursor pages over the raw RESP path (0188), a page ahead.
    ...readRow(
      "search-scan",
      "scanSearch over an index (FT.AGGREGATE cursor, the raw read path)",
      async (cell) => {
        await createIndex(cell.direct, {
          name: cell.prefix,
          prefixes: [`${cell.prefix}:`],
          fields: [field.numeric("n")],
        });
        await hashData(cell);
        // Hashes written after FT.CREATE are indexed as they are written. waitForIndex would also wait for the
        // index's background scan of every key already on the server (the other cells'), which a starved server
        // (CI with CPU burners beside it) did not finish in 60 s: wait for this cell's documents instead.
        await waitFor(
          async () => {
            const reply = await cell.direct.call("FT.SEARCH", cell.prefix, "*", "LIMIT", "0", "0");
            return Array.isArray(reply) && Number(reply[0]) === cell.keys.length;
          },
          {
            timeoutMs: 60_000,
            description: `index ${cell.prefix} to hold the cell's ${cell.keys.length} documents`,
          },
        );
      },
      (cell) =>
        readFrames(
          cell,
          scanSearch(cell.conn, {
            index: cell.prefix,
            query: all(),
            columns: ["n"],
            schema: { n: pl.Int64 },
            batchSize: READ_BATCH,
          }),
          "n",
        ),
    ),
    targets: ["server"],
  },
  writeRow("hashes-replace", 'writeHashes ifExists "replace"', {
    prepare: oldHashes(),
    write: hashesWrite("replace"),
    stateOf: (cell, keys) => hashStates(cell, keys, "replace"),
  }),
  writeRow("hashes-append", 'writeHashes ifExists "append"', {
    prepare: oldHashes(),
    write: hashesWrite("append"),
    stateOf: (cell, keys) => hashStates(cell, keys, "append"),
  }),
  writeRow("hashes-fail", 'writeHashes ifExists "fail" (odd keys absent before)', {
    prepare: oldHashes((key) => !oddKey(key)),
    write: hashesWrite("fail"),
    stateOf: (cell, keys) => hashStates(cell, keys, "fail"),
    absentBefore: oddKey,
  }),
  writeRow("strings-replace", 'writeStrings ifExists "replace"', {
    prepare: async (cell) => {
      await batchOk(
        cell.direct,
        cell.keys.map((key): Command => ["SET", key, "old"]),
      );
    },
    write: (cell, keys, onFirstBatch) =>
      writeStrings(cell.conn, pl.DataFrame({ _key: keys, value: keys.map(() => "new") }), {
        batchSize: WRITE_BATCH,
        parallel: 1,
        onProgress: onFirstBatch,
      }),
    stateOf: async (cell, keys) =>
      (
        await batchOk(
          cell.direct,
          keys.map((key): Command => ["GET", key]),
        )
      ).map((value) => (value === null ? "absent" : value === "old" || value === "new" ? value : "other")),
  }),
  writeRow("sets-replace", 'writeSets ifExists "replace"', {
    prepare: async (cell) => {
      await batchOk(
        cell.direct,
        cell.keys.map((key): Command => ["SADD", key, "old", "old2"]),
      );
    },
    write: (cell, keys, onFirstBatch) =>
      writeSets(cell.conn, pl.DataFrame({ _key: keys, member: keys.map(() => "new") }), {
        batchSize: WRITE_BATCH,
        parallel: 1,
        onProgress: onFirstBatch,
      }),
    stateOf: async (cell, keys) =>
      (
        await batchOk(
          cell.direct,
          keys.map((key): Command => ["SMEMBERS", key]),
        )
      ).map((reply) => {
        const members = [...(reply as string[])].sort().join(",");
        if (members === "") return "absent";
        if (members === "old,old2") return "old";
        return members === "new" ? "new" : "other";
      }),
  }),
  {
    id: "stream-consumer",
    label: "stream consumer group: XREADGROUP reads and XACK acks (createConsumer.run)",
    kind: "stream",
    targets: ["server", "cluster"],
    prepare: async (cell) => {
      await appendEntries(cell.direct, cell.singleKey, 0, ENTRIES);
    },
    run: async (cell) => {
      const handled = new Set<string>();
      const consumer = createConsumer(cell.conn, {
        stream: cell.singleKey,
        group: "matrix",
        consumer: "c1",
        batchSize: 200,
        blockMs: 100,
        startId: "0",
      });
      let first = true;
      const stats = consumer.run(async (batch) => {
        if (first) {
          first = false;
          await cell.midway();
        }
        for (const id of batch.ids) handled.add(id);
        if (handled.size >= ENTRIES) consumer.stop();
      });
      try {
        await stats;
      } finally {
        await consumer.close();
      }
      return { kind: "stream", handled, expected: ENTRIES };
    },
    verify: async (cell, result) => {
      if (result?.kind !== "stream") return;
      const pending = (await cell.direct.call("XPENDING", cell.singleKey, "matrix")) as unknown[];
      expect(Number(pending[0]), "entries left pending (unacknowledged)").toBe(0);
    },
  },
  {
    id: "router-hash-sink",
    label: "router: stream group source, redisHashSink destination (same server)",
    kind: "stream",
    targets: ["server"],
    prepare: async (cell) => {
      await appendEntries(cell.direct, cell.singleKey, 0, ENTRIES);
    },
    run: async (cell) => {
      const destination = (id: string) => `${cell.prefix}:evt:${id}`;
      const router = createRouter({
        source: {
          connection: cell.conn,
          stream: cell.singleKey,
          group: "router",
          consumer: "r1",
          batchSize: 200,
          blockMs: 100,
          startId: "0",
        },
        routes: [
          {
            name: "all",
            transform: (frame) =>
              frame
                .withColumns(
                  pl.concatString([pl.lit(`${cell.prefix}:evt:`), pl.col("_id")], "").alias("_key"),
                )
                .select("_key", "n"),
            sink: redisHashSink(cell.conn),
          },
        ],
      });
      const running = router.run();
      running.catch(() => undefined);
      const ids = Array.from({ length: ENTRIES }, (_, i) => `${i + 1}-1`);
      try {
        // Under way: the first entries have been routed; the fault strikes while the rest are.
        await waitFor(async () => Number(await cell.direct.call("EXISTS", destination(ids[0]!))) === 1, {
          timeoutMs: 60_000,
          intervalMs: 5,
          description: "the router's first write",
        });
        await cell.midway();
        // Done when the router has acknowledged every entry (a sink write that timed out may have been
        // applied late, so the destination keys alone do not say the router is done), and the keys are there.
        await waitFor(
          async () => {
            if (router.stats.source.acked < ENTRIES) return false;
            const replies = await cell.direct.batch(ids.map((id): Command => ["EXISTS", destination(id)]));
            return replies.every((reply) => Number(reply) === 1);
          },
          { timeoutMs: 60_000, intervalMs: 100, description: "every entry routed and acknowledged" },
        );
      } finally {
        router.stop();
      }
      await running;
      return { kind: "stream", handled: new Set(ids), expected: ENTRIES };
    },
    verify: async (cell, result) => {
      if (result?.kind !== "stream") return;
      const pending = (await cell.direct.call("XPENDING", cell.singleKey, "router")) as unknown[];
      expect(Number(pending[0]), "entries left pending (unacknowledged)").toBe(0);
    },
  },
];

const ENTRIES = 2000;

/** Appends entries `from` .. `to - 1` with explicit ids `${i + 1}-1` and one field n. */
async function appendEntries(conn: RedisConnection, stream: string, from: number, to: number): Promise<void> {
  const commands: Command[] = [];
  for (let i = from; i < to; i++) commands.push(["XADD", stream, `${i + 1}-1`, "n", String(i)]);
  await batchOk(conn, commands);
}
