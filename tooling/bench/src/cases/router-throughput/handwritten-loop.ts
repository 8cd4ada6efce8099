import { Redis } from "ioredis";
import pl from "nodejs-polars";
import { SOURCE_STREAM } from "./change-events-dataset.js";
import { BATCH_SIZE, BENCH_ROUTES, DESTINATION_DB } from "./routes.js";

/**
 * The loop a user writes without the router: XREADGROUP a batch, `pl.readRecords` it, apply each route's
 * filter, write each route's rows with one pipelined HSET per row (the three routes in parallel), then XACK
 * the batch. One batch at a time. Returns the entries routed.
 */
export async function routeByHand(target: { host: string; port: number }, group: string): Promise<number> {
  const source = new Redis({ host: target.host, port: target.port, lazyConnect: true });
  const destination = new Redis({
    host: target.host,
    port: target.port,
    db: DESTINATION_DB,
    lazyConnect: true,
  });
  await Promise.all([source.connect(), destination.connect()]);
  try {
    let routed = 0;
    for (;;) {
      const reply = (await source.xreadgroup(
        "GROUP",
        group,
        "loop",
        "COUNT",
        BATCH_SIZE,
        "STREAMS",
        SOURCE_STREAM,
        ">",
      )) as [string, [string, string[]][]][] | null;
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) return routed;
      const records = entries.map(([id, fields]) => {
        const record: Record<string, string> = { _id: id };
        for (let i = 0; i < fields.length; i += 2) record[fields[i]!] = fields[i + 1]!;
        return record;
      });
      const frame = pl.readRecords(records);
      await Promise.all(
        BENCH_ROUTES.map(async (route) => {
          const rows = frame.filter(route.filter).toRecords();
          if (rows.length === 0) return;
          const pipeline = destination.pipeline();
          for (const row of rows) {
            const fields: string[] = [];
            for (const [name, value] of Object.entries(row)) {
              if (name !== "_id" && value !== null && value !== undefined) fields.push(name, String(value));
            }
            pipeline.hset(`${route.prefix}${row._id}`, ...fields);
          }
          for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
        }),
      );
      await source.xack(SOURCE_STREAM, group, ...entries.map(([id]) => id));
      routed += entries.length;
    }
  } finally {
    source.disconnect();
    destination.disconnect();
  }
}
