import { once } from "node:events";
import { connect } from "node:net";
import { useRedis } from "@polars-redis/testkit/vitest";
import { Redis, type RedisOptions } from "ioredis";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFaultProxy, type FaultProxy, waitFor } from "../src/index.js";

const redis = useRedis();
let proxy: FaultProxy;
const clients: Redis[] = [];

/** An ioredis client through the proxy; reconnects quickly so recovery tests stay short. */
async function connectViaProxy(options: Omit<RedisOptions, "replyMapping"> = {}): Promise<Redis> {
  const client = new Redis(proxy.url, {
    lazyConnect: true,
    retryStrategy: () => 50,
    ...options,
  });
  client.on("error", () => {
    // Faults make connection errors on purpose; tests observe them through their own listeners.
  });
  clients.push(client);
  await client.connect();
  return client;
}

/** The error an ioredis client reports when it tries to connect once (it rejects connect() with a generic one). */
async function connectError(url: string): Promise<NodeJS.ErrnoException | undefined> {
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  let reported: NodeJS.ErrnoException | undefined;
  client.on("error", (error: NodeJS.ErrnoException) => {
    reported ??= error;
  });
  await expect(client.connect()).rejects.toThrow();
  client.disconnect();
  return reported;
}

beforeAll(async () => {
  const seed = new Redis(redis.server.url);
  await seed.set("value:1k", "v".repeat(1_000));
  await seed.set("value:10k", "x".repeat(10_000));
  seed.disconnect();
});

beforeEach(async () => {
  proxy = await createFaultProxy({ target: redis.server.url });
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await proxy.close();
});

describe("createFaultProxy", () => {
  it("forwards traffic and counts connections and bytes per direction", async () => {
    const client = await connectViaProxy();
    expect(await client.get("value:1k")).toBe("v".repeat(1_000));
    const stats = proxy.stats();
    expect(stats.openConnections).toBe(1);
    expect(stats.totalConnections).toBe(1);
    expect(stats.bytesToClient).toBeGreaterThan(1_000);
    expect(stats.bytesToServer).toBeGreaterThan("GET value:1k".length);
    expect(proxy.url).toBe(`redis://127.0.0.1:${proxy.port}`);
  });

  it("latency holds each chunk, and removing it releases what it holds", async () => {
    const client = await connectViaProxy();
    const before = proxy.stats();
    // A latency far longer than the test: whatever the machine's speed, the bytes are still held below.
    const latency = proxy.latency({ latencyMs: 600_000, jitterMs: 10, direction: "both" });
    let answered = false;
    const ping = client.ping().then((reply) => {
      answered = true;
      return reply;
    });
    const held = await waitFor(() => proxy.stats().heldBytesToServer > 0 && proxy.stats(), {
      description: "the proxy to hold the PING",
    });
    expect(held.heldBytesToServer).toBe("*1\r\n$4\r\nping\r\n".length);
    expect(held.bytesToServer).toBe(before.bytesToServer);
    expect(answered).toBe(false);
    await latency.remove();
    expect(await ping).toBe("PONG");
    expect(proxy.stats()).toMatchObject({ heldBytesToServer: 0, heldBytesToClient: 0 });
    expect(proxy.stats().bytesToServer).toBe(before.bytesToServer + held.heldBytesToServer);
  });

  it("latency toward the client only: the request goes through, the reply is held", async () => {
    const client = await connectViaProxy();
    const observer = new Redis(redis.server.url);
    clients.push(observer);
    const latency = proxy.latency({ latencyMs: 600_000, direction: "toClient" });
    const written = client.set("latency:written", "yes");
    const held = await waitFor(() => proxy.stats().heldBytesToClient > 0 && proxy.stats(), {
      description: "the proxy to hold the reply",
    });
    expect(held.heldBytesToClient).toBe("+OK\r\n".length);
    expect(held.heldBytesToServer).toBe(0);
    expect(await observer.get("latency:written")).toBe("yes");
    await latency.remove();
    expect(await written).toBe("OK");
  });

  it("bandwidth paces a large reply in small writes", async () => {
    const client = await connectViaProxy();
    const unpaced = proxy.stats().writesToClient;
    expect(await client.get("value:10k")).toBe("x".repeat(10_000));
    const unpacedWrites = proxy.stats().writesToClient - unpaced;
    await using _bandwidth = proxy.bandwidth({ bytesPerSecond: 20_000, direction: "toClient" });
    const before = proxy.stats();
    expect(await client.get("value:10k")).toBe("x".repeat(10_000));
    const after = proxy.stats();
    // 20 KB/s goes out in pieces of 1/20 s worth (1,000 bytes): the 10,010-byte reply ($10000, CRLF, the value, CRLF) takes at least 11 writes.
    expect(after.bytesToClient - before.bytesToClient).toBe(10_010);
    expect(after.writesToClient - before.writesToClient).toBeGreaterThanOrEqual(11);
    expect(after.writesToClient - before.writesToClient).toBeGreaterThan(unpacedWrites);
  });

  it("blackhole makes a command time out, and the held bytes flow once it is removed", async () => {
    const client = await connectViaProxy({ commandTimeout: 300, maxRetriesPerRequest: 0 });
    const blackhole = proxy.blackhole();
    await expect(client.get("value:1k")).rejects.toThrow("Command timed out");
    expect(client.status).toBe("ready");
    await blackhole.remove();
    // The timed-out GET's reply arrives now and is matched to it, so the next reply is the PING's.
    expect(await client.ping()).toBe("PONG");
  });

  it("blackhole toward the client only: the server does the work but the reply never comes", async () => {
    const client = await connectViaProxy({ commandTimeout: 300, maxRetriesPerRequest: 0 });
    const observer = new Redis(redis.server.url);
    clients.push(observer);
    const blackhole = proxy.blackhole({ direction: "toClient" });
    await expect(client.set("blackhole:written", "yes")).rejects.toThrow("Command timed out");
    expect(await observer.get("blackhole:written")).toBe("yes");
    await blackhole.remove();
  });

  it("reset tears connections down with ECONNRESET and ioredis reconnects once it is off", async () => {
    const client = await connectViaProxy();
    const errors: NodeJS.ErrnoException[] = [];
    client.on("error", (error: NodeJS.ErrnoException) => errors.push(error));
    const reset = proxy.reset();
    await waitFor(() => errors.some((error) => error.code === "ECONNRESET"), {
      description: "an ECONNRESET on the client",
    });
    // While the fault is on, every reconnect is reset too.
    const totalBefore = proxy.stats().totalConnections;
    await waitFor(() => proxy.stats().totalConnections > totalBefore + 1, { description: "reconnects" });
    expect(client.status).not.toBe("ready");
    await reset.remove();
    await waitFor(() => client.status === "ready", { description: "the client to reconnect" });
    expect(await client.get("value:1k")).toBe("v".repeat(1_000));
  });

  it("reset after a delay lets traffic flow until it fires", async () => {
    const client = await connectViaProxy();
    const errors: NodeJS.ErrnoException[] = [];
    client.on("error", (error: NodeJS.ErrnoException) => errors.push(error));
    await using _reset = proxy.reset({ afterMs: 150, direction: "toClient" });
    expect(await client.ping()).toBe("PONG");
    await waitFor(() => errors.some((error) => error.code === "ECONNRESET"), {
      description: "the delayed reset",
    });
  });

  it("closeAfterBytes cuts the connection in the middle of a reply", async () => {
    const client = await connectViaProxy({ maxRetriesPerRequest: 0 });
    const before = proxy.stats().bytesToClient;
    const cut = proxy.closeAfterBytes({ bytes: 100, direction: "toClient" });
    const closed = once(client, "close");
    await expect(client.get("value:1k")).rejects.toThrow();
    await closed;
    expect(proxy.stats().bytesToClient - before).toBeGreaterThanOrEqual(100);
    await cut.remove();
    await waitFor(() => client.status === "ready", { description: "the client to reconnect" });
    expect(await client.get("value:1k")).toBe("v".repeat(1_000));
  });

  it("closeAfterBytes forwards exactly the allowed bytes on a fresh connection", async () => {
    await using _cut = proxy.closeAfterBytes({ bytes: 7, direction: "toClient" });
    const raw = connect({ host: proxy.host, port: proxy.port });
    const received: Buffer[] = [];
    raw.on("data", (chunk: Buffer) => received.push(chunk));
    raw.write("GET value:1k\r\n");
    await once(raw, "close");
    expect(Buffer.concat(received).toString()).toBe("$1000\r\n");
  });

  it("closeAfterBytes counts per connection: with both directions, requests and replies share the limit", async () => {
    await using _cut = proxy.closeAfterBytes({ bytes: 10, direction: "both" });
    const raw = connect({ host: proxy.host, port: proxy.port });
    const received: Buffer[] = [];
    raw.on("data", (chunk: Buffer) => received.push(chunk));
    raw.write("PING\r\n"); // 6 bytes to the server leave 4 for the reply
    await once(raw, "close");
    expect(Buffer.concat(received).toString()).toBe("+PON");
    expect(proxy.stats()).toMatchObject({ bytesToServer: 6, bytesToClient: 4 });
  });

  it("slice delivers a reply in several pieces", async () => {
    await using _slice = proxy.slice({ averageSize: 1, delayMs: 2, direction: "toClient" });
    const raw = connect({ host: proxy.host, port: proxy.port });
    const chunks: Buffer[] = [];
    raw.on("data", (chunk: Buffer) => chunks.push(chunk));
    raw.write("PING\r\n");
    await waitFor(() => Buffer.concat(chunks).length >= 7, { description: "the whole reply" });
    raw.destroy();
    expect(Buffer.concat(chunks).toString()).toBe("+PONG\r\n");
    expect(chunks.length).toBeGreaterThan(1);
  });

  it("slice splits replies and requests into small pieces and they still parse", async () => {
    const client = await connectViaProxy();
    await using _slice = proxy.slice({ averageSize: 4, sizeVariation: 3, delayMs: 1 });
    await client.set("sliced", "é🙂".repeat(40));
    expect(await client.get("sliced")).toBe("é🙂".repeat(40));
    expect(await client.get("value:1k")).toBe("v".repeat(1_000));
  });

  it("refuseConnections makes new connects fail while open connections carry on", async () => {
    const open = await connectViaProxy();
    const refusal = proxy.refuseConnections();
    expect(await connectError(proxy.url)).toMatchObject({ code: "ECONNREFUSED" });
    expect(await open.ping()).toBe("PONG");
    await refusal.remove();
    const again = await connectViaProxy();
    expect(await again.ping()).toBe("PONG");
  });

  it("dropConnections closes every open connection at once", async () => {
    const first = await connectViaProxy();
    const second = await connectViaProxy();
    const closes = [once(first, "close"), once(second, "close")];
    expect(proxy.dropConnections()).toBe(2);
    await Promise.all(closes);
    await waitFor(() => first.status === "ready" && second.status === "ready", { description: "reconnects" });
    expect(proxy.stats().totalConnections).toBeGreaterThanOrEqual(4);
    expect(await first.ping()).toBe("PONG");
  });

  it("faults switch on and off while a stream of commands flows", async () => {
    const client = await connectViaProxy();
    let stop = false;
    let done = 0;
    const traffic = (async () => {
      while (!stop) {
        await client.incr("flow:counter");
        done++;
      }
    })();
    await waitFor(() => done > 20, { description: "traffic" });
    const latency = proxy.latency({ latencyMs: 20 });
    const slice = proxy.slice({ averageSize: 2 });
    const atFaultsOn = done;
    await waitFor(() => done > atFaultsOn + 5, { description: "traffic under faults" });
    await latency.remove();
    await slice.remove();
    stop = true;
    await traffic;
    expect(Number(await client.get("flow:counter"))).toBe(done);
    expect(proxy.faults()).toHaveLength(0);
  });

  it("rejects invalid fault settings before switching anything on", () => {
    expect(() => proxy.latency({ latencyMs: -1 })).toThrow(RangeError);
    expect(() => proxy.bandwidth({ bytesPerSecond: 0 })).toThrow(RangeError);
    expect(() => proxy.slice({ averageSize: 0 })).toThrow(RangeError);
    expect(() => proxy.addFault({ kind: "blackhole", direction: "sideways" as "both" })).toThrow(RangeError);
    expect(proxy.faults()).toHaveLength(0);
  });
});

describe("fault proxy lifecycle", () => {
  it("await using closes the proxy: its port refuses connections afterwards", async () => {
    let port = 0;
    {
      await using scoped = await createFaultProxy({
        target: { host: redis.server.host, port: redis.server.port },
      });
      port = scoped.port;
      const client = new Redis({ port, lazyConnect: true });
      await client.connect();
      expect(await client.ping()).toBe("PONG");
      client.disconnect();
    }
    expect(await connectError(`redis://127.0.0.1:${port}`)).toMatchObject({ code: "ECONNREFUSED" });
  });

  it("close is idempotent and drops open connections", async () => {
    const scoped = await createFaultProxy({ target: redis.server.url });
    const client = new Redis(scoped.url, { lazyConnect: true, retryStrategy: () => null });
    client.on("error", () => {});
    await client.connect();
    const closed = once(client, "close");
    await scoped.close();
    await scoped.close();
    await closed;
    expect(scoped.stats().openConnections).toBe(0);
  });

  it("keeps the target URL's credentials and database in its own URL", async () => {
    await using scoped = await createFaultProxy({
      target: `redis://:secret@${redis.server.host}:${redis.server.port}/3`,
    });
    expect(scoped.url).toBe(`redis://:secret@127.0.0.1:${scoped.port}/3`);
  });

  it("rejects a target that is not a redis:// URL or a host and port", async () => {
    await expect(createFaultProxy({ target: "http://example.com" })).rejects.toThrow(TypeError);
    await expect(createFaultProxy({ target: { host: "127.0.0.1", port: 0 } })).rejects.toThrow(TypeError);
  });
});
