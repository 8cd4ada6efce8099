// Type-checked in the consumer project against the tarballs' .d.ts files (never run): the public types
// resolve through each package's `exports`, with strict settings and skipLibCheck off.
import { connectCluster } from "@polars-redis/cluster";
import { connect, type RedisConnection, readHashes } from "@polars-redis/core";
import { type ConsumerBatch, createConsumer } from "@polars-redis/streams";
import { generateHashes, type RedisServer, startRedis } from "@polars-redis/testkit";
import { type WriteHashesOptions, writeHashes } from "@polars-redis/writer";
import type pl from "nodejs-polars";

export async function roundTrip(): Promise<number> {
  const server: RedisServer = await startRedis();
  const conn: RedisConnection = await connect(server.url);
  const options: WriteHashesOptions = { keyColumn: "_key" };
  const generated = generateHashes({ count: 10 });
  await writeHashes(conn, generated.toFrame(), options);
  const frame: pl.DataFrame = await readHashes(conn, { pattern: "hash:*", schema: generated.schema });
  const consumer = createConsumer(conn, { stream: "s", group: "g", consumer: "c" });
  const first: IteratorResult<ConsumerBatch> = await consumer[Symbol.asyncIterator]().next();
  await consumer.close();
  await conn.close();
  await server.stop();
  return frame.height + (first.done ? 0 : first.value.frame.height) + (typeof connectCluster).length;
}
