import { Redis } from "ioredis";
import { connectCluster, keySlot } from "../dist/index.js";
const admin = (port) => new Redis({ port, lazyConnect: false });
const a = admin(31001), b = admin(31002), c = admin(31003);
const id = async (r) => (await r.cluster("MYID"));
const ids = { a: await id(a), b: await id(b), c: await id(c) };
async function migrate(src, dst, dstPort, slots, { leave = false } = {}) {
  for (const s of slots) {
    await dst.cluster("SETSLOT", s, "IMPORTING", await id(src));
    await src.cluster("SETSLOT", s, "MIGRATING", await id(dst));
    const keys = await src.cluster("GETKEYSINSLOT", s, 1000);
    const move = leave ? keys.slice(0, Math.ceil(keys.length / 2)) : keys;
    if (move.length) await src.call("MIGRATE", "127.0.0.1", dstPort, "", 0, 5000, "KEYS", ...move);
    if (!leave) {
      await dst.cluster("SETSLOT", s, "NODE", await id(dst));
      await src.cluster("SETSLOT", s, "NODE", await id(dst));
    }
  }
}
const conn = await connectCluster(["127.0.0.1:31001"], { onEvent: (e) => e.type !== "topology-refreshed" && console.log("event", JSON.stringify(e)) });
const N = 60000;
const cmds = [];
for (let i = 0; i < N; i++) cmds.push(["SET", `k:${i}`, "x"]);
await conn.batch(cmds);
// scan concurrency 1: node a (0-5460) first, then b, then c
let n = 0; const seen = new Set(); let pages = 0;
for await (const page of (await connectCluster(["127.0.0.1:31001"], { scanConcurrency: 1, onEvent: (e) => e.type.startsWith("scan") && console.log("scan event", JSON.stringify(e)) })).scanKeys({ pattern: "k:*", count: 200 })) {
  n += page.length; for (const k of page) { if (seen.has(k)) console.log("dup", k); seen.add(k); }
  pages++;
  if (pages === 120) {
    // now scanning b (a is done: 20k keys / 200 = 100 pages). Move slots 12000-12099 from c (not yet scanned) to a (done)
    console.log("page 120 from slot", keySlot(page[0]));
    await migrate(c, a, 31001, Array.from({ length: 100 }, (_, i) => 12000 + i));
    // and slots 6000-6049 from b (in progress) to a
    await migrate(b, a, 31001, Array.from({ length: 50 }, (_, i) => 6000 + i));
    // leave slot 13000 (c) half-migrated to b
    await migrate(c, b, 31002, [13000], { leave: true });
    console.log("migrated");
  }
}
console.log("scan", n, seen.size);
// ASK: read every key through batch
const got = await conn.batch(cmds.map(([, k]) => ["GET", k]));
console.log("gets ok", got.filter((v) => v === "x").length);
const mget = await conn.call("MGET", ...cmds.slice(0, 5000).map(([, k]) => k));
console.log("mget ok", mget.filter((v) => v === "x").length, conn.stats());
for (const r of [a, b, c]) r.disconnect();
await conn.close();
process.exit(0);
