import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Command, readHashes } from "@polars-redis/core";
import { useClusterConnection } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { connectCluster } from "../src/index.js";

// The opening example of docs/cluster.md runs as written (its seed URL pointed at a test cluster).
const docs = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs", "cluster.md"),
  "utf8",
);
const firstExample = /```ts\n([\s\S]*?)```/.exec(docs)![1]!;

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<void>;

const fixture = useClusterConnection({
  connect: (cluster) => connectCluster(cluster.seeds),
  masters: 3,
  replicasPerMaster: 0,
});

beforeAll(async () => {
  await fixture.conn.batch(
    Array.from(
      { length: 30 },
      (_, i): Command => ["HSET", `user:${i}`, "name", `user ${i}`, "age", String(20 + i)],
    ),
  );
});

describe("docs/cluster.md", () => {
  it("the opening example reads the users with a schema", async () => {
    const body = firstExample.replace(/^import [\s\S]*?from "[^"]+";$/gm, "");
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      const toTestCluster = () => connectCluster(fixture.cluster.seeds);
      await new AsyncFunction("connectCluster", "readHashes", "pl", body)(toTestCluster, readHashes, pl);
      expect(log.mock.calls).toEqual([[30]]);
    } finally {
      log.mockRestore();
    }
  });
});
