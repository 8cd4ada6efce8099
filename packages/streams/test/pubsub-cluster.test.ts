import { connectCluster } from "@polars-redis/cluster";
import { connect, InvalidArgumentError, type RedisConnection } from "@polars-redis/core";
import { useClusterConnection, useRedisConnection } from "@polars-redis/testkit/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { collectPubSub, iterPubSub, type PubSubBatch } from "../src/index.js";

/** Publishes through a connection of its own to one node (so the message enters the cluster there). */
async function publishOn(url: string, command: "PUBLISH" | "SPUBLISH", channel: string, payload: string) {
  const conn = await connect(url);
  try {
    return await conn.call(command, channel, payload);
  } finally {
    await conn.close();
  }
}

describe("Pub/Sub through a connect() connection", () => {
  const redis = useRedisConnection({ connect });

  it("collects sharded channels (SSUBSCRIBE) beside classic ones", async () => {
    const frame = await collectPubSub(redis.conn, {
      channels: ["plain"],
      shardChannels: ["orders:{eu}", "orders:{us}"],
      count: 3,
      onSubscribed: () => {
        void redis.conn.batch([
          ["SPUBLISH", "orders:{eu}", "e1"],
          ["PUBLISH", "plain", "p1"],
          ["SPUBLISH", "orders:{us}", "u1"],
        ]);
      },
    });
    expect(frame.getColumn("_channel").toArray()).toEqual(["orders:{eu}", "plain", "orders:{us}"]);
    expect(frame.getColumn("message").toArray()).toEqual(["e1", "p1", "u1"]);
  });

  it("refuses a connection that cannot open a Pub/Sub client, naming the capability", async () => {
    const bare = { kind: "standalone", call: redis.conn.call.bind(redis.conn) } as unknown as RedisConnection;
    const error = await collectPubSub(bare, { channels: ["a"], count: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/pubSubClient/);
  });
});

describe("Pub/Sub on a 6-node cluster (connectCluster)", () => {
  const fixture = useClusterConnection({
    connect: (cluster): Promise<RedisConnection> => connectCluster(cluster.urls[0]!),
    masters: 3,
    replicasPerMaster: 1,
  });
  let masterUrls: string[];
  beforeAll(async () => {
    masterUrls = [];
    for (const node of fixture.cluster.nodes) if ((await node.role()) === "master") masterUrls.push(node.url);
    expect(masterUrls).toHaveLength(3);
  }, 120_000);

  it("collectPubSub receives classic messages published on every master", async () => {
    const frame = await collectPubSub(fixture.conn, {
      channels: ["news"],
      count: 3,
      timeoutMs: 60_000,
      onSubscribed: () => {
        void (async () => {
          for (const [index, url] of masterUrls.entries())
            await publishOn(url, "PUBLISH", "news", `n${index}`);
        })();
      },
    });
    expect(frame.getColumn("message").toArray().sort()).toEqual(["n0", "n1", "n2"]);
  });

  it("iterPubSub receives sharded messages from the master that serves each channel's slot", async () => {
    // Three channels whose slots live on three different masters.
    const channels: string[] = [];
    const owners = new Set<string>();
    for (let tag = 0; channels.length < 3 && tag < 1000; tag++) {
      const channel = `shard:{${tag}}`;
      const owner = await fixture.cluster.masterForKey(channel);
      if (owners.has(owner.url)) continue;
      owners.add(owner.url);
      channels.push(channel);
    }
    expect(channels).toHaveLength(3);

    const subscription = iterPubSub(fixture.conn, {
      shardChannels: channels,
      batchSize: 6,
      windowMs: 600_000,
    });
    try {
      await subscription.subscribed();
      for (const channel of channels) {
        const owner = await fixture.cluster.masterForKey(channel);
        for (const n of [1, 2]) {
          // SPUBLISH reaches only subscribers of the slot's shard: 1 means our subscriber got it there.
          expect(await publishOn(owner.url, "SPUBLISH", channel, `${channel}#${n}`)).toBe(1);
        }
      }
      let batch: PubSubBatch | undefined;
      for await (const next of subscription) {
        batch = next;
        break;
      }
      expect(batch!.frame.height).toBe(6);
      expect(batch!.frame.getColumn("message").toArray().sort()).toEqual(
        channels.flatMap((channel) => [`${channel}#1`, `${channel}#2`]).sort(),
      );
    } finally {
      await subscription.close();
    }
  });
});
