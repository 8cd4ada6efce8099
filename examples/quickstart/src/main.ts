// A new user's first five minutes: a private redis-server, 5,000 orders written as hashes with writeHashes,
// their schema inferred, read back into a DataFrame with readHashes, and an aggregate checked against the
// numbers we wrote. Exits non-zero if anything is off.
import { connect, inferHashSchema, readHashes } from "@polars-redis/core";
import { startRedis } from "@polars-redis/testkit";
import { writeHashes } from "@polars-redis/writer";
import pl from "nodejs-polars";

const ORDERS = Number(process.env.QUICKSTART_ORDERS ?? 5_000);
const REGIONS = ["eu", "us", "apac"];

await using server = await startRedis(); // a private redis-server on a free port; stopped at the end
const conn = await connect(server.url);
try {
  // 1. A frame, written as one hash per row: key `order:<id>`, fields region/amount/item.
  const orders = pl.DataFrame({
    id: Array.from({ length: ORDERS }, (_, i) => i),
    region: Array.from({ length: ORDERS }, (_, i) => REGIONS[i % REGIONS.length]),
    amount: Array.from({ length: ORDERS }, (_, i) => (i % 97) + 0.5),
    item: Array.from({ length: ORDERS }, (_, i) => `sku-${i % 13}`),
  });
  const written = await writeHashes(conn, orders, { keyTemplate: "order:{id}" });
  console.log(`wrote ${written.written} hashes (${written.failed} failed)`);

  // 2. What is in there? Inference samples the keys and proposes a schema with a confidence per field.
  const inferred = await inferHashSchema(conn, { pattern: "order:*", sampleSize: 200 });
  for (const [field, info] of Object.entries(inferred.fields)) {
    console.log(`  ${field}: ${info.type} (confidence ${info.confidence.toFixed(2)})`);
  }

  // 3. Read every order back into a typed DataFrame and aggregate with Polars.
  const frame = await readHashes(conn, { pattern: "order:*", schema: inferred.schema });
  const totals = frame.groupBy("region").agg(pl.col("amount").sum().alias("total")).sort("region");
  console.log(`read ${frame.height} orders from ${server.url}`);
  console.log(totals.toString());

  const expected = orders.groupBy("region").agg(pl.col("amount").sum().alias("total")).sort("region");
  const same = totals.height === expected.height && totals.frameEqual(expected);
  if (frame.height !== ORDERS || !written.isCompleteSuccess() || !same) {
    console.error(`mismatch: read ${frame.height} of ${ORDERS} orders\n${expected.toString()}`);
    process.exitCode = 1;
  } else {
    console.log("quickstart: OK");
  }
} finally {
  await conn.close();
}
