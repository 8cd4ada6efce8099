// What someone outside the monorepo writes after `npm install @polars-redis/core ...`: start a private
// redis-server (testkit), write a frame of hashes (writer), read them back into a DataFrame (core), write a
// stream and consume it with a consumer group (streams), and load every other installed package. Prints one
// JSON line with what it saw; the consumer test compares it with what it expects.
import { connectCluster } from "@polars-redis/cluster";
import { connect, readHashes } from "@polars-redis/core";
import { createConsumer } from "@polars-redis/streams";
import { generateHashes, startRedis } from "@polars-redis/testkit";
import { writeHashes, writeStreams } from "@polars-redis/writer";
import pl from "nodejs-polars";

const HASHES = 2_000;
const EVENTS = 1_500;
const others = JSON.parse(process.env.CONSUMER_OTHER_PACKAGES ?? "[]");

const server = await startRedis();
const conn = await connect(server.url);
try {
  // writer: one hash per row of testkit's generated frame (mixed dtypes, Unicode, nulls).
  const generated = generateHashes({ count: HASHES, keyPrefix: "user:" });
  const expected = generated.toFrame();
  const written = await writeHashes(conn, expected, { keyColumn: "_key" });

  // core: read them back with the generator's schema.
  const frame = (await readHashes(conn, { pattern: "user:*", schema: generated.schema })).sort("_key");
  const wanted = expected.sort("_key");
  const sameIds = frame.getColumn("id").cast(pl.Int64).seriesEqual(wanted.getColumn("id").cast(pl.Int64));
  const sameNames = frame.getColumn("name").seriesEqual(wanted.getColumn("name"), true);

  // writer + streams: 1,500 events into a stream, consumed by a group in batches and acknowledged.
  const events = pl.DataFrame({
    _key: Array.from({ length: EVENTS }, () => "events"),
    n: Array.from({ length: EVENTS }, (_, i) => i),
  });
  const appended = await writeStreams(conn, events);
  const consumer = createConsumer(conn, {
    stream: "events",
    group: "app",
    consumer: "app-1",
    batchSize: 200,
    blockMs: 200,
    schema: { n: pl.Int64 },
  });
  let consumed = 0;
  let sum = 0n;
  for await (const batch of consumer) {
    consumed += batch.frame.height;
    for (const value of batch.frame.getColumn("n").toArray()) sum += BigInt(value);
    await batch.ack();
    if (consumed >= EVENTS) consumer.stop();
  }
  await consumer.close();
  const pending = await conn.call("XPENDING", "events", "app");

  // Every other published package loads from its tarball (cache, search, cli when they exist).
  const loaded = {};
  for (const name of others) loaded[name] = Object.keys(await import(name)).length;

  console.log(
    JSON.stringify({
      node: process.version,
      written: written.written,
      writeFailed: written.failed,
      read: frame.height,
      sameIds,
      sameNames,
      streamWritten: appended.written,
      consumed,
      sum: sum.toString(),
      pending: Array.isArray(pending) ? Number(pending[0]) : null,
      clusterExport: typeof connectCluster,
      loaded,
    }),
  );
} finally {
  await conn.close();
  await server.stop();
}
