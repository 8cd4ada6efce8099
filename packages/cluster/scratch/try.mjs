import { connectCluster } from "../dist/index.js";
const conn = await connectCluster(["127.0.0.1:31001"], { onEvent: (e) => console.log("event", e) });
console.log(conn.masters().map((m) => `${m.port} ${JSON.stringify(m.slotRanges)}`));
const cmds = [];
for (let i = 0; i < 20000; i++) cmds.push(["SET", `k:${i}`, `v${i}`]);
let t = Date.now();
const r = await conn.batch(cmds);
console.log("set", Date.now() - t, r.filter((x) => x !== "OK").length);
t = Date.now();
console.log(await conn.call("MGET", "k:1", "k:2", "k:3", "nope"), await conn.call("DBSIZE"), await conn.call("DEL", "k:1", "k:2", "nope"), await conn.call("EXISTS", "k:3", "k:1", "k:4"));
let n = 0; const seen = new Set();
for await (const page of conn.scanKeys({ pattern: "k:*", count: 500 })) { n += page.length; for (const k of page) seen.add(k); }
console.log("scan", n, seen.size, Date.now() - t);
console.log(await conn.batch([["MULTI"], ["SET", "{t}a", "1"], ["INCR", "{t}a"], ["EXEC"], ["GET", "{t}a"]]));
console.log(await conn.call("SCRIPT", "LOAD", "return 1"));
console.log(await conn.callBuffer("GET", "k:5"));
console.log(conn.stats());
await conn.close();
