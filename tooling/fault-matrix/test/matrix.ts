import { type ClusterConnection, connectCluster } from "@polars-redis/cluster";
import { connect, PolarsRedisError, type RedisConnection } from "@polars-redis/core";
import {
  createFaultProxy,
  type FaultProxy,
  type RedisCluster,
  type RedisServer,
  startCluster,
  startRedis,
} from "@polars-redis/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cellSlots,
  FAULTS,
  type FaultId,
  type FaultScope,
  rejoinKilledMasters,
  type Struck,
  type Target,
} from "./faults.js";
import { type Cell, ROWS, type RowId, type RunResult } from "./rows.js";

/**
 * The fault matrix (issue 11): every path (row) against every fault (column), on one server and on a 6-node
 * cluster. Each cell names its expected outcome:
 *
 * - "once": completes; a read returns every key exactly once with its value, a stream path handles every
 *   entry and leaves nothing pending;
 * - "error": rejects with a typed error (PolarsRedisError) within the deadline;
 * - "once|error": either of the two (a read over a connection that dies may fail or be re-driven), never a
 *   hang, a wrong or repeated key, or an untyped error;
 * - "old|new": a write resolves with a WriteResult (or rejects typed) within the deadline, and afterwards every
 *   key holds its old or its new value, never neither; keys reported written hold the new value, keys
 *   reported failed (or skipped) the old one.
 *
 * A cell strikes its fault once the operation is under way (after a read's first frame, a write's first batch,
 * a consumer's first batch, a router's first write), keeps it for HOLD_MS at most (or until the operation
 * settles), heals it, then checks what Redis holds through a connection the fault never touched.
 */
type Expectation = "once" | "error" | "once|error" | "old|new";

const SERVER: Record<RowId, Partial<Record<FaultId, Expectation>>> = {
  "read-pattern": {
    blackhole: "error",
    "reset-mid-reply": "once|error",
    "kill-9-restart": "once|error",
    "client-kill": "once|error",
    oom: "once",
  },
  "read-keys": {
    blackhole: "error",
    "reset-mid-reply": "once|error",
    "kill-9-restart": "once|error",
    "client-kill": "once|error",
    oom: "once",
  },
  "read-strings": {
    blackhole: "error",
    "reset-mid-reply": "once|error",
    "kill-9-restart": "once|error",
    "client-kill": "once|error",
    oom: "once",
  },
  "search-scan": {
    blackhole: "error",
    "reset-mid-reply": "once|error",
    "kill-9-restart": "once|error",
    "client-kill": "once|error",
    oom: "once",
  },
  "hashes-replace": {
    blackhole: "old|new",
    "reset-mid-reply": "old|new",
    "kill-9-restart": "old|new",
    "client-kill": "old|new",
    oom: "old|new",
  },
  "hashes-append": {
    blackhole: "old|new",
    "reset-mid-reply": "old|new",
    "kill-9-restart": "old|new",
    "client-kill": "old|new",
    oom: "old|new",
  },
  "hashes-fail": {
    blackhole: "old|new",
    "reset-mid-reply": "old|new",
    "kill-9-restart": "old|new",
    "client-kill": "old|new",
    oom: "old|new",
  },
  "strings-replace": {
    blackhole: "old|new",
    "reset-mid-reply": "old|new",
    "kill-9-restart": "old|new",
    "client-kill": "old|new",
    oom: "old|new",
  },
  "sets-replace": {
    blackhole: "old|new",
    "reset-mid-reply": "old|new",
    "kill-9-restart": "old|new",
    "client-kill": "old|new",
    oom: "old|new",
  },
  "stream-consumer": {
    blackhole: "once",
    "reset-mid-reply": "once",
    "kill-9-restart": "once",
    "client-kill": "once",
    oom: "once",
  },
  "router-hash-sink": {
    blackhole: "once",
    "reset-mid-reply": "once",
    "kill-9-restart": "once",
    "client-kill": "once",
    oom: "once",
  },
};

const CLUSTER: Record<RowId, Partial<Record<FaultId, Expectation>>> = {
  "read-pattern": {
    "client-kill": "once",
    "master-killed": "once",
    "slots-migrating": "once",
    "slots-migrated": "once",
    oom: "once",
  },
  "read-keys": {
    "client-kill": "once",
    "master-killed": "once",
    "slots-migrating": "once",
    "slots-migrated": "once",
    oom: "once",
  },
  "read-strings": {
    "client-kill": "once|error",
    "master-killed": "once|error",
    "slots-migrating": "once",
    "slots-migrated": "once",
    oom: "once",
  },
  "search-scan": {},
  "hashes-replace": {
    "client-kill": "old|new",
    "master-killed": "old|new",
    "slots-migrating": "old|new",
    "slots-migrated": "old|new",
    oom: "old|new",
  },
  "hashes-append": {
    "client-kill": "old|new",
    "master-killed": "old|new",
    "slots-migrating": "old|new",
    "slots-migrated": "old|new",
    oom: "old|new",
  },
  "hashes-fail": {
    "client-kill": "old|new",
    "master-killed": "old|new",
    "slots-migrating": "old|new",
    "slots-migrated": "old|new",
    oom: "old|new",
  },
  "strings-replace": {
    "client-kill": "old|new",
    "master-killed": "old|new",
    "slots-migrating": "old|new",
    "slots-migrated": "old|new",
    oom: "old|new",
  },
  "sets-replace": {
    "client-kill": "old|new",
    "master-killed": "old|new",
    "slots-migrating": "old|new",
    "slots-migrated": "old|new",
    oom: "old|new",
  },
  "stream-consumer": {
    "client-kill": "once",
    "master-killed": "once",
    "slots-migrating": "once",
    "slots-migrated": "once",
    oom: "once",
  },
  "router-hash-sink": {},
};

/** Keys per cell. */
const KEYS = 2000;
/** Longest a fault stays in force; operations that ride faults out (streams, retried writes) resume after it. */
const HOLD_MS = 3000;
/** Command timeout of the connections the faults strike. */
const COMMAND_TIMEOUT_MS = 2000;
/** Longest an operation may take to settle, fault included: beyond it, it counts as hung. */
const DEADLINE_MS = 60_000;

let server: RedisServer;
let cluster: RedisCluster;
let serverDirect: RedisConnection;
let clusterDirect: ClusterConnection;
let cells = 0;
let clusterCells = 0;

type Outcome =
  | { readonly kind: "completed"; readonly value: RunResult; readonly ms: number }
  | { readonly kind: "failed"; readonly error: unknown; readonly ms: number }
  | { readonly kind: "hung"; readonly ms: number };

async function runCell(
  target: Target,
  rowId: RowId,
  faultId: FaultId,
  expectation: Expectation,
): Promise<void> {
  const row = ROWS.find((candidate) => candidate.id === rowId)!;
  const fault = FAULTS.find((candidate) => candidate.id === faultId)!;
  const prefix = `fm${cells++}`;
  const range = target === "cluster" ? cellSlots(clusterCells++) : undefined;
  const keys = Array.from({ length: KEYS }, (_, i) =>
    range === undefined || i % 2 === 1 ? `${prefix}:${i}` : `${prefix}:{${range.tags[(i / 2) % 64]}}:${i}`,
  );
  const direct = target === "server" ? serverDirect : clusterDirect;
  let proxy: FaultProxy | undefined;
  let conn: RedisConnection | undefined;
  let struck: Struck | undefined;
  try {
    proxy = await createFaultProxy({ target: server.url });
    const scope: FaultScope = { target, server, cluster, proxy, slots: range?.slots ?? [0, 0] };
    conn =
      target === "server"
        ? await connect(fault.proxied ? proxy.url : server.url, { commandTimeoutMs: COMMAND_TIMEOUT_MS })
        : await connectCluster(cluster.seeds, {
            commandTimeoutMs: COMMAND_TIMEOUT_MS * 2,
            retryWindowMs: 30_000,
          });
    let striking: Promise<void> | undefined;
    const cell: Cell = {
      target,
      prefix,
      keys,
      singleKey: range === undefined ? `${prefix}:stream` : `${prefix}:{${range.tags[0]}}:stream`,
      direct,
      conn,
      midway: () => {
        striking ??= fault.strike(scope).then((done) => {
          struck = done;
          // The fault lasts HOLD_MS at most: operations that ride it out go on once it is healed.
          setTimeout(() => void done.heal().catch(() => undefined), HOLD_MS).unref();
        });
        return striking;
      },
    };
    await row.prepare(cell);
    await fault.before?.(scope);
    const started = performance.now();
    const outcome = await settle(row.run(cell), started);
    await striking?.catch(() => undefined);
    await struck?.heal();
    if (expectation !== "error" || outcome.kind !== "failed") {
      // The fault really struck mid-way: the operation was under way when it came.
      expect(striking, "the operation never reached the point where the fault strikes").toBeDefined();
    }
    checkOutcome(expectation, outcome, keys);
    await row.verify(cell, outcome.kind === "completed" ? outcome.value : undefined);
  } finally {
    await struck?.heal().catch(() => undefined);
    await conn?.close().catch(() => undefined);
    await proxy?.close();
  }
}

async function settle(operation: Promise<RunResult>, started: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "hung", ms: performance.now() - started }), DEADLINE_MS);
  });
  operation.catch(() => undefined);
  try {
    return await Promise.race([
      operation.then(
        (value): Outcome => ({ kind: "completed", value, ms: performance.now() - started }),
        (error: unknown): Outcome => ({ kind: "failed", error, ms: performance.now() - started }),
      ),
      hung,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function describeOutcome(outcome: Outcome): string {
  if (outcome.kind === "failed") {
    const error = outcome.error as Error;
    return `failed after ${Math.round(outcome.ms)} ms with ${error?.name}: ${error?.message}`;
  }
  return `${outcome.kind} after ${Math.round(outcome.ms)} ms`;
}

function checkOutcome(expectation: Expectation, outcome: Outcome, keys: readonly string[]): void {
  const what = describeOutcome(outcome);
  expect(outcome.kind, `hung: ${what}`).not.toBe("hung");
  if (outcome.kind === "failed") {
    expect(
      expectation === "error" || expectation === "once|error" || expectation === "old|new",
      `expected ${expectation}, ${what}`,
    ).toBe(true);
    expect(PolarsRedisError.isInstance(outcome.error), `untyped error: ${what}`).toBe(true);
    return;
  }
  if (outcome.kind !== "completed") return;
  expect(expectation, `expected a typed error, ${what}`).not.toBe("error");
  const value = outcome.value;
  if (value.kind === "read") {
    const seen = new Set(value.keys);
    expect(value.keys.length - seen.size, "keys returned twice").toBe(0);
    expect(seen.size, "keys returned").toBe(keys.length);
    for (const key of keys) if (!seen.has(key)) expect.fail(`${key} is missing`);
    value.keys.forEach((key, i) => {
      if (Number(key.slice(key.lastIndexOf(":") + 1)) !== value.values[i]) {
        expect.fail(`${key} came back with ${value.values[i]}`);
      }
    });
  } else if (value.kind === "stream") {
    expect(value.handled.size, "entries handled").toBe(value.expected);
  } else if (expectation === "once") {
    expect(value.result.isCompleteSuccess(), "every key written").toBe(true);
  }
}

/**
 * Registers the matrix of one target in the calling test file: one server (with AOF, for kill -9 + restart) or a
 * 6-node cluster (plus one server, which the proxy of every cell points at). The two targets are two files, so
 * vitest runs them side by side: a cell spends most of its time waiting for a fault to strike and heal.
 */
export function faultMatrix(target: Target): void {
  const table = target === "server" ? SERVER : CLUSTER;
  beforeAll(async () => {
    server = await startRedis({ persistence: true, modules: ["search"] });
    serverDirect = await connect(server.url);
    if (target === "cluster") {
      cluster = await startCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 });
      clusterDirect = await connectCluster(cluster.seeds);
    }
  });
  afterAll(async () => {
    await serverDirect?.close();
    await clusterDirect?.close();
    await Promise.all([server?.stop(), cluster?.stop()]);
  });
  describe(`${target === "server" ? "one server" : "a 6-node cluster (3 masters, 3 replicas)"}`, () => {
    for (const fault of FAULTS.filter((candidate) => candidate.targets.includes(target))) {
      describe(fault.label, () => {
        for (const row of ROWS) {
          const expectation = table[row.id][fault.id];
          if (expectation === undefined || !row.targets.includes(target)) continue;
          it(`${row.label}: ${expectation}`, () => runCell(target, row.id, fault.id, expectation));
        }
        if (fault.id === "master-killed") {
          // The killed masters rejoin as replicas before the next column.
          afterAll(async () => {
            await rejoinKilledMasters();
            await cluster.waitForHealthy();
          });
        }
      });
    }
  });
}
