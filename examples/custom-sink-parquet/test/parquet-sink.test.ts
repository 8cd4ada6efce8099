import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { runSinkConformance } from "@polars-redis/testkit/vitest";
import pl from "nodejs-polars";
import { expect, it } from "vitest";
import { createParquetSink, removeParquetDirectory } from "../src/parquet-sink.js";

const run = promisify(execFile);

it("runs end to end: both sinks hold every order once after a replay", async () => {
  const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
  const { stdout } = await run(process.execPath, [main], { env: { ...process.env, EXAMPLE_ORDERS: "1500" } });
  expect(stdout).toContain("redis: 1500 orders");
  expect(stdout).toContain("parquet: 1500 orders");
  expect(stdout).toContain("custom sink: OK");
});

const directories = new WeakMap<object, string>();

runSinkConformance("createParquetSink (partitioned by a column)", {
  makeSink: async () => {
    const directory = await mkdtemp(join(tmpdir(), "parquet-conformance-"));
    const sink = createParquetSink({ directory, partitionColumn: "active" });
    directories.set(sink, directory);
    return sink;
  },
  readBack: async (sink, keys) => {
    const all = await sink.readAll();
    if (all.height === 0) return [];
    return all.filter(pl.col("_key").isIn([...keys])).toRecords();
  },
  // A file where the "active=false" partition directory should be: those rows cannot be written.
  provokeFailure: async (sink, frame) => {
    await writeFile(join(directories.get(sink)!, "active=false"), "in the way");
    return frame.filter(pl.col("active").not()).getColumn("_key").toArray() as string[];
  },
  cleanup: async (sink) => removeParquetDirectory(directories.get(sink)!),
});
