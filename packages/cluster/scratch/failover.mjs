import { readFileSync } from "node:fs";
import { connectCluster } from "../dist/index.js";
const conn = await connectCluster(["127.0.0.1:31001"], { onEvent: (e) => e.type !== "topology-refreshed" && console.log("event", JSON.stringify(e)) });
const N = 200000;
let t = Date.now();
for (let s = 0; s < N; s += 50000) {
  const cmds = [];
  for (let i = s; i < s + 50000; i++) cmds.push(["SET", `k:${i}`, "x"]);
  await conn.batch(cmds);
}
console.log("loaded", Date.now() - t);
// wait for replicas to catch up
for (const m of conn.masters()) console.log(await conn.batch([["WAIT", 1, 5000]]));
t = Date.now();
let n = 0; const seen = new Set(); let pages = 0;
for await (const page of conn.scanKeys({ pattern: "k:*", count: 1000 })) {
  n += page.length; for (const k of page) seen.add(k);
  if (++pages === 30) { const pid = Number(readFileSync("/tmp/clscratch/31002/pid", "utf8")); process.kill(pid, "SIGKILL"); console.log("killed 31002"); }
}
console.log("scan", n, seen.size, Date.now() - t);
console.log(conn.masters().map((m) => `${m.port} ${JSON.stringify(m.slotRanges)}`));
console.log(conn.stats());
await conn.close();
