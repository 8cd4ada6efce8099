import { connect } from "@polars-redis/core";
import { generateChangeEvents } from "@polars-redis/testkit";
import type { BenchDataset } from "../../registry/bench-case.js";

/** The source stream every router case reads (explicit ids, so every run sees the same entries). */
export const SOURCE_STREAM = "bench:changes";

/** N change events (op, table, id, region, amount, ts) in one stream, the routing pipeline's input. */
export const CHANGE_EVENTS_DATASET: BenchDataset = {
  id: "change-events",
  async load(server, size) {
    const events = generateChangeEvents({ count: size, seed: 11 });
    const connection = await connect(server.url);
    try {
      await connection.call("DEL", SOURCE_STREAM);
      for (let start = 0; start < size; start += 5000) {
        const commands: [string, ...string[]][] = [];
        for (let i = start; i < Math.min(size, start + 5000); i++) {
          commands.push(["XADD", SOURCE_STREAM, events.entryIds[i]!, ...events.fieldsOf(i)]);
        }
        const failed = (await connection.batch(commands)).find((reply) => reply instanceof Error);
        if (failed) throw failed;
      }
    } finally {
      await connection.close();
    }
  },
};
