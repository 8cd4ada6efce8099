import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Command, readHashes } from "@polars-redis/core";
import { type RedisCluster, startCluster } from "@polars-redis/testkit";
import pl from "nodejs-polars";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type ClusterConnection, connectCluster } from "../src/index.js";

// The opening example of docs/cluster.md runs as written (its seed URL pointed at a test cluster).
const docs = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs", "cluster.md"),
  "utf8",
);
const firstExample = /```ts\n([\s\S]*?)```/.exec(docs)![1]!;

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<void>;

let cluster: RedisCluster;
let loader: ClusterConnection;

beforeAll(async () => {
  cluster = await startCluster({ masters: 3, replicasPerMaster: 0 });
  loader = await connectCluster(cluster.seeds);
  await loader.batch(
    Array.from(
      { length: 30 },
      (_, i): Command => ["HSET", `user:${i}`, "name", `user ${i}`, "age", String(20 + i)],
    ),
  );
});
afterAll(async () => {
  await loader?.close();
  await cluster?.stop();
});

describe("docs/cluster.md", () => {
  it("the opening example reads the users with a schema", async () => {
    const body = firstExample.replace(/^import [\s\S]*?from "[^"]+";$/gm, "");
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      const toTestCluster = () => connectCluster(cluster.seeds);
      await new AsyncFunction("connectCluster", "readHashes", "pl", body)(toTestCluster, readHashes, pl);
      expect(log.mock.calls).toEqual([[30]]);
    } finally {
      log.mockRestore();
    }
  });
});
