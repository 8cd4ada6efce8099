import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pipeline } from "../src/pipeline.js";

// Several router processes in one consumer group over a source sharded into six streams on a 3-master
// cluster, routing to three destinations. One router is killed with SIGKILL mid-run and one destination is
// blackholed for a while: every destination must end with exactly the rows its filter selects.

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await Pipeline.start({ shards: 6, claimIdleMs: 2000 });
});
afterAll(async () => {
  await pipeline?.stop();
});

describe("scale-out", () => {
  it("three routers, one killed -9 and one destination blackholed: exactly the filtered rows everywhere", async () => {
    const routers = [
      await pipeline.spawnRouter(),
      await pipeline.spawnRouter(),
      await pipeline.spawnRouter(),
    ];
    const sent = await pipeline.produce(6000);
    const acked = () => routers.reduce((sum, router) => sum + Number(router.last?.acked ?? 0), 0);
    await waitUntil(() => acked() > 2000, 60_000, "routing under way");

    // Destination B goes silent while more events arrive; then a router dies mid-run.
    const partition = pipeline.destination("B").proxy.blackhole();
    sent.push(...(await pipeline.produce(6000)));
    const victim = routers[1]!;
    // Entries the victim takes while B is silent cannot be confirmed by B's route, so they are still pending
    // when it dies (entries it took before may all have been acknowledged already).
    const deliveredBefore = Number(victim.last?.delivered ?? 0);
    await waitUntil(
      () => Number(victim.last?.delivered ?? 0) > deliveredBefore,
      60_000,
      "the victim routing during the outage",
    );
    await victim.kill();
    sent.push(...(await pipeline.produce(6000)));
    await waitUntil(() => acked() > 4000, 60_000, "the others carry on");
    await partition.remove();

    await pipeline.waitDrained(180_000);
    const survivors = routers.filter((router) => router !== victim);
    const claimedSoFar = () => survivors.reduce((sum, router) => sum + Number(router.last?.claimed ?? 0), 0);
    // Routers report their stats periodically: the report that counts the claims may come after the drain.
    await waitUntil(() => claimedSoFar() > 0, 30_000, "the survivors to report their claims").catch(() => {});
    const claimed = claimedSoFar();
    await Promise.all(survivors.map((router) => router.stop()));
    const accounting = await pipeline.account(sent);

    expect(accounting.lostKeys.size).toBe(0);
    expect(accounting.unaccounted).toBe(0);
    expect(accounting.acked).toBe(sent.length);
    for (const [name, outcome] of Object.entries(accounting.routes)) {
      expect({ name, ...outcome }).toMatchObject({
        name,
        delivered: outcome.expected,
        lost: 0,
        unexpected: 0,
        deadLettered: 0,
      });
      expect(outcome.expected).toBeGreaterThan(1000);
    }
    // The killed router's pending entries were claimed by the others (and may have been written twice).
    expect(claimed).toBeGreaterThan(0);
    console.log(
      `scale-out: ${sent.length} events, duplicates per route ${JSON.stringify(Object.fromEntries(Object.entries(accounting.routes).map(([name, o]) => [name, o.duplicated])))}, claimed ${claimed}`,
    );
  });
});

async function waitUntil(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
