// The smallest real round trip: a private redis-server, 5,000 orders written as hashes, read back into a
// DataFrame, and an aggregate checked against the numbers we wrote. Exits non-zero if anything is off.
import { connect } from "@polars-redis/core";
import { startRedis } from "@polars-redis/testkit";
import pl from "nodejs-polars";

const ORDERS = Number(process.env.QUICKSTART_ORDERS ?? 5_000);
const REGIONS = ["eu", "us", "apac"] as const;

await using server = await startRedis();
const conn = await connect(server.url);
try {
  const expected = new Map<string, number>();
  const writes = Array.from({ length: ORDERS }, (_, i) => {
    const region = REGIONS[i % REGIONS.length]!;
    const amount = (i % 97) + 0.5;
    expected.set(region, (expected.get(region) ?? 0) + amount);
    return [
      "HSET",
      `order:${i}`,
      "region",
      region,
      "amount",
      String(amount),
      "item",
      `sku-${i % 13}`,
    ] as const;
  });
  await conn.batch(writes);

  const keys: string[] = [];
  for await (const page of conn.scanKeys({ pattern: "order:*", type: "hash" })) keys.push(...page);
  const replies = await conn.batch(keys.map((key) => ["HMGET", key, "region", "amount"] as const));
  const regions: string[] = [];
  const amounts = new Float64Array(replies.length);
  replies.forEach((reply, i) => {
    const [region, amount] = reply as [string, string];
    regions.push(region);
    amounts[i] = Number(amount);
  });
  const frame = pl.DataFrame([pl.Series("region", regions), pl.Series("amount", amounts)]);
  const totals = frame.groupBy("region").agg(pl.col("amount").sum().alias("total")).sort("region");
  console.log(`read ${frame.height} orders from ${server.url}`);
  console.log(totals.toString());

  const wrong = totals
    .toRecords()
    .filter((row) => Math.abs(Number(row.total) - (expected.get(String(row.region)) ?? Number.NaN)) > 1e-6);
  if (frame.height !== ORDERS || wrong.length > 0) {
    console.error(
      `mismatch: read ${frame.height} of ${ORDERS} orders; wrong totals: ${JSON.stringify(wrong)}`,
    );
    process.exitCode = 1;
  } else {
    console.log("quickstart: OK");
  }
} finally {
  await conn.close();
}
