import { connect, resolveDtype } from "@polars-redis/core";
import pl from "nodejs-polars";

const { openRawChannel, readHashFrames } = await import(
  new URL("./fast/index.js", import.meta.resolve("@polars-redis/core")).href
);
const schema = {
  name: pl.Utf8,
  email: pl.Utf8,
  city: pl.Utf8,
  age: pl.Int64,
  visits: pl.Int64,
  score: pl.Float64,
  balance: pl.Float64,
  active: pl.Bool,
  created_at: pl.Datetime("ms"),
  birthday: pl.Date,
};
const fields = Object.entries(schema).map(([name, d]) => ({ name, dtype: resolveDtype(d, name) }));
for (let i = 0; i < Number(process.env.REPS ?? 2); i++) {
  const conn = await connect("redis://127.0.0.1:17381");
  const t = performance.now();
  const c0 = process.cpuUsage();
  const channel = await openRawChannel({ host: "127.0.0.1", port: 17381 });
  const frames = [];
  for await (const f of readHashFrames(
    channel,
    conn.scanKeys({ pattern: "bench:hash:*", type: "hash", count: 1000 }),
    { fields, projected: false, keyColumn: "_key" },
  ))
    frames.push(f);
  const df = pl.concat(frames, { how: "vertical", rechunk: true });
  const cpu = process.cpuUsage(c0);
  console.log(
    df.height,
    (performance.now() - t).toFixed(0),
    "ms wall",
    ((cpu.user + cpu.system) / 1000).toFixed(0),
    "ms cpu",
  );
  await conn.close();
}
