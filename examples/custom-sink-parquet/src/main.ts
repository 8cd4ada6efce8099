// A custom Sink next to a ready-made one: the same batch of orders goes to Redis hashes (redisHashSink) and to
// partitioned Parquet files (createParquetSink), then is replayed, as a router does after a crash. Both
// destinations must end up with every order exactly once. Exits non-zero if anything is off.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, readHashes, type Sink, type WriteResult } from "@polars-redis/core";
import { startRedis } from "@polars-redis/testkit";
import { redisHashSink } from "@polars-redis/writer";
import pl from "nodejs-polars";
import { createParquetSink, removeParquetDirectory } from "./parquet-sink.js";

const ORDERS = Number(process.env.EXAMPLE_ORDERS ?? 2_000);
const REGIONS = ["eu", "us", "apac"];

await using server = await startRedis();
const conn = await connect(server.url);
const directory = await mkdtemp(join(tmpdir(), "polars-redis-parquet-"));
try {
  const orders = pl.DataFrame({
    _key: Array.from({ length: ORDERS }, (_, i) => `order:${i}`),
    region: Array.from({ length: ORDERS }, (_, i) => REGIONS[i % REGIONS.length]!),
    amount: Array.from({ length: ORDERS }, (_, i) => (i % 97) + 0.5),
  });
  const sinks: Sink[] = [redisHashSink(conn), createParquetSink({ directory, partitionColumn: "region" })];
  const context = (attempt: number) => ({
    signal: new AbortController().signal,
    attempt,
    rowIds: orders.getColumn("_key").toArray() as string[],
  });

  const report = (label: string, results: WriteResult[]) =>
    console.log(
      `${label}: ${sinks.map((sink, i) => `${sink.name} wrote ${results[i]!.written}`).join(", ")}`,
    );
  report("first write", await Promise.all(sinks.map((sink) => sink.write(orders, context(1)))));
  report("replay", await Promise.all(sinks.map((sink) => sink.write(orders, context(2)))));

  const inRedis = await readHashes(conn, {
    pattern: "order:*",
    schema: { region: pl.Utf8, amount: pl.Float64 },
  });
  const inParquet = await (sinks[1] as ReturnType<typeof createParquetSink>).readAll();
  const total = (frame: pl.DataFrame) => Number(frame.getColumn("amount").sum());
  console.log(`redis: ${inRedis.height} orders, total ${total(inRedis)}`);
  console.log(`parquet: ${inParquet.height} orders, total ${total(inParquet)}`);
  if (
    inRedis.height !== ORDERS ||
    inParquet.height !== ORDERS ||
    total(inRedis) !== total(orders) ||
    total(inParquet) !== total(orders)
  ) {
    console.error("mismatch: a destination lost or duplicated orders");
    process.exitCode = 1;
  } else {
    console.log("custom sink: OK");
  }
  for (const sink of sinks) await sink.close?.();
} finally {
  await conn.close();
  await removeParquetDirectory(directory);
}
