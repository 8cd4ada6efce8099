import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFaultProxy, pickFreePort, startRedis, waitFor } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import {
  connect,
  InvalidArgumentError,
  isCommandError,
  PolarsRedisError,
  RedisCommandError,
  RedisConnectionError,
  RedisTimeoutError,
  readHashes,
} from "../src/index.js";

const redis = useRedisConnection({ connect });

describe("connect: targets", () => {
  it("rejects malformed URLs with an InvalidArgumentError before opening a socket", async () => {
    for (const url of [
      "localhost",
      "http://localhost",
      "redis://:pw@/0",
      "redis://h:99999",
      "redis://h:1/abc",
    ]) {
      const error = await connect(url).catch((e: unknown) => e);
      expect(InvalidArgumentError.isInstance(error), url).toBe(true);
      expect((error as InvalidArgumentError).argument).toBe("url");
    }
  });

  it("keeps passwords out of error messages", async () => {
    const error = (await connect("redis://user:hunter2@h:99999").catch((e: unknown) => e)) as Error;
    expect(error.message).not.toContain("hunter2");
  });

  it("rejects a refused connection with a retryable RedisConnectionError naming host and port", async () => {
    // Start and stop a server so the port is known to be free of listeners.
    const gone = await startRedis();
    const port = gone.port;
    await gone.stop();
    const error = await connect(`redis://127.0.0.1:${port}`).catch((e: unknown) => e);
    expect(RedisConnectionError.isInstance(error)).toBe(true);
    const connError = error as RedisConnectionError;
    expect(connError.retryable).toBe(true);
    expect(connError.message).toContain(`127.0.0.1:${port}`);
    expect(connError.port).toBe(port);
    expect(connError.outcome).toBe("rejected");
  });

  it("honours password and database number from the URL", async () => {
    await using secured = await startRedis();
    const setup = new Redis({ port: secured.port, lazyConnect: true });
    await setup.connect();
    await setup.call("CONFIG", "SET", "requirepass", "s3cr:et");
    setup.disconnect();
    const url = `redis://:${encodeURIComponent("s3cr:et")}@127.0.0.1:${secured.port}/3`;
    const c = await connect(url);
    await c.call("SET", "where", "db3");
    await c.close();
    const check = new Redis({ port: secured.port, password: "s3cr:et", db: 3, lazyConnect: true });
    await check.connect();
    expect(await check.get("where")).toBe("db3");
    await check.select(0);
    expect(await check.get("where")).toBeNull();
    check.disconnect();
    const denied = await connect(`redis://127.0.0.1:${secured.port}`).then(
      async (c2) => c2.call("GET", "x").finally(() => c2.close()),
      (e: unknown) => e,
    );
    // A refused login is the server's answer, not a transient failure: typed, and not retryable.
    expect(RedisCommandError.isInstance(denied)).toBe(true);
    expect((denied as RedisCommandError).redisCode).toBe("NOAUTH");
    expect((denied as RedisCommandError).retryable).toBe(false);
    const wrong = await connect(`redis://:nope@127.0.0.1:${secured.port}`).catch((e: unknown) => e);
    expect((wrong as RedisCommandError).redisCode).toBe("WRONGPASS");
  });

  it("honours username and password (ACL user)", async () => {
    await using acl = await startRedis();
    const admin = new Redis({ port: acl.port, lazyConnect: true });
    await admin.connect();
    await admin.call("ACL", "SETUSER", "etl", "on", ">p@ss", "~*", "+@all");
    admin.disconnect();
    const c = await connect(`redis://etl:${encodeURIComponent("p@ss")}@127.0.0.1:${acl.port}`);
    expect(await c.call("ACL", "WHOAMI")).toBe("etl");
    await c.close();
  });

  it("speaks TLS for rediss:// URLs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pr-tls-"));
    try {
      execFileSync(
        "openssl",
        [
          ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"],
          ...["-addext", "subjectAltName=IP:127.0.0.1"],
          ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
        ],
        { stdio: "ignore" },
      );
      const tlsPort = await pickFreePort();
      await using tlsServer = await startRedis({
        args: [
          ...["--tls-port", String(tlsPort), "--tls-cert-file", join(dir, "cert.pem")],
          ...["--tls-key-file", join(dir, "key.pem"), "--tls-ca-cert-file", join(dir, "cert.pem")],
          ...["--tls-auth-clients", "no"],
        ],
      });
      const ca = readFileSync(join(dir, "cert.pem"));
      const c = await connect(`rediss://127.0.0.1:${tlsPort}`, { ioredis: { tls: { ca } } });
      await c.call("SET", "secure", "yes");
      expect(await c.call("GET", "secure")).toBe("yes");
      await c.close();
      // The same port refuses a client that does not speak TLS.
      const clearText = await connect(`redis://127.0.0.1:${tlsPort}`, {
        connectTimeoutMs: 2000,
        commandTimeoutMs: 2000,
      })
        .then(async (c2) => c2.call("PING").finally(() => c2.close()))
        .catch((e: unknown) => e);
      expect(PolarsRedisError.isInstance(clearText)).toBe(true);
      expect(tlsServer.isRunning()).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses maxRetriesPerRequest 0, which would report applied commands as not sent", async () => {
    const error = await connect(redis.server.url, { ioredis: { maxRetriesPerRequest: 0 } }).catch(
      (e: unknown) => e,
    );
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe("maxRetriesPerRequest");
  });

  it("refuses the resp3 reply mapping, whose reply shapes the library does not decode; takes legacy", async () => {
    const error = await connect(redis.server.url, { ioredis: { replyMapping: "resp3" } }).catch(
      (e: unknown) => e,
    );
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe("ioredis.replyMapping");
    const legacy = await connect(redis.server.url, {
      ioredis: { replyMapping: "legacy", keyPrefix: undefined },
    });
    try {
      expect(await legacy.call("PING")).toBe("PONG");
    } finally {
      await legacy.close();
    }
  });

  it("never lets an application's re-sending client apply a write twice", async () => {
    await using proxy = await createFaultProxy({ target: redis.server.url });
    // ioredis' default: re-send in-flight commands after a reconnect.
    const own = new Redis({ port: proxy.port, protocol: 2, lazyConnect: true });
    own.on("error", () => undefined); // it reconnects through the proxy after the drop
    await own.connect();
    const c = await connect(own);
    await c.call("DEL", "twice");
    const direct = new Redis({ port: redis.server.port, lazyConnect: true });
    await direct.connect();
    const hold = proxy.blackhole({ direction: "toClient" });
    const pending = c.batch([["INCR", "twice"]]);
    await waitFor(async () => (await direct.get("twice")) === "1", { timeoutMs: 10_000 });
    proxy.dropConnections();
    const [reply] = await pending;
    await hold.remove();
    expect(RedisConnectionError.isInstance(reply)).toBe(true);
    expect((reply as RedisConnectionError).outcome).toBe("unknown");
    expect(await c.call("GET", "twice")).toBe("1");
    expect(await direct.get("twice")).toBe("1");
    await c.close();
    expect(own.status).not.toBe("end"); // the application's client is still its own, and still open
    own.disconnect();
    direct.disconnect();
  });

  it("wraps an application's own ioredis client and leaves it open on close()", async () => {
    const own = new Redis({ port: redis.server.port, protocol: 2, lazyConnect: true });
    await own.connect();
    const c = await connect(own);
    await c.call("SET", "own", "1");
    await c.close();
    expect(await own.get("own")).toBe("1");
    own.disconnect();
  });

  it("talks RESP2 even through an application's RESP3 client", async () => {
    const own = new Redis({ port: redis.server.port, lazyConnect: true });
    await own.connect();
    const c = await connect(own);
    await c.call("ZADD", "resp", "1.5", "m");
    expect(await c.call("ZRANGE", "resp", "0", "-1", "WITHSCORES")).toEqual(["m", "1.5"]);
    await c.close();
    expect(own.status).toBe("ready");
    own.disconnect();
  });
});

describe("call and batch", () => {
  it("round-trips binary values byte for byte", async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await redis.conn.call("SET", "bin:1", bytes);
    const back = await redis.conn.callBuffer("GET", "bin:1");
    expect(Buffer.isBuffer(back)).toBe(true);
    expect((back as Buffer).equals(bytes)).toBe(true);
    const replies = await redis.conn.batch(
      [
        ["SET", Buffer.from([0xff, 0x00, 0x0a]), bytes],
        ["GET", Buffer.from([0xff, 0x00, 0x0a])],
      ],
      { buffers: true },
    );
    expect((replies[1] as Buffer).equals(bytes)).toBe(true);
  });

  it("round-trips Unicode text", async () => {
    const text = "zoë 🚀 日本語 \u0000 end";
    await redis.conn.call("SET", "uni", text);
    expect(await redis.conn.call("GET", "uni")).toBe(text);
  });

  it("reports a per-command error inside a batch without failing the rest", async () => {
    await redis.conn.call("DEL", "b:list", "b:1", "b:2");
    await redis.conn.call("RPUSH", "b:list", "x");
    const replies = await redis.conn.batch([
      ["SET", "b:1", "one"],
      ["HSET", "b:list", "f", "v"],
      ["SET", "b:2", "two"],
      ["GET", "b:1"],
    ]);
    expect(replies[0]).toBe("OK");
    expect(replies[2]).toBe("OK");
    expect(replies[3]).toBe("one");
    const failed = replies[1]!;
    expect(isCommandError(failed)).toBe(true);
    expect(RedisCommandError.isInstance(failed)).toBe(true);
    const error = failed as RedisCommandError;
    expect(error.redisCode).toBe("WRONGTYPE");
    expect(error.command).toBe("HSET");
    expect(error.outcome).toBe("rejected");
    expect(error.retryable).toBe(false);
  });

  it("keeps the caller's order across chunks", async () => {
    const commands = Array.from({ length: 2_500 }, (_, i) => ["SET", `order:${i}`, String(i)] as const);
    await redis.conn.batch(commands, { chunkSize: 100 });
    const gets = await redis.conn.batch(
      Array.from({ length: 2_500 }, (_, i) => ["GET", `order:${i}`] as const),
      { chunkSize: 100 },
    );
    expect(gets).toEqual(Array.from({ length: 2_500 }, (_, i) => String(i)));
  });

  it("call rejects with a RedisCommandError carrying Redis's code", async () => {
    const error = await redis.conn.call("INCR", "uni").catch((e: unknown) => e);
    expect(RedisCommandError.isInstance(error)).toBe(true);
    expect((error as RedisCommandError).redisCode).toBe("ERR");
  });

  it("marks commands in flight when the connection drops as outcome 'unknown'", async () => {
    const c = await connect(redis.server.url, { clientName: "victim" });
    const killer = new Redis({ port: redis.server.port, lazyConnect: true });
    await killer.connect();
    const pending = c.batch([
      ["SET", "drop:1", "a"],
      ["BLPOP", "drop:never", "5"],
      ["SET", "drop:2", "b"],
    ]);
    // Wait until the BLPOP is blocked on the server, then cut the connection.
    await expect
      .poll(async () => (await killer.call("INFO", "clients")) as string)
      .toMatch(/blocked_clients:1/);
    await killer.call("CLIENT", "KILL", "SKIPME", "yes", "TYPE", "normal");
    const replies = await pending;
    expect(replies[0]).toBe("OK");
    for (const reply of replies.slice(1)) {
      expect(RedisConnectionError.isInstance(reply)).toBe(true);
      expect((reply as RedisConnectionError).outcome).toBe("unknown");
      expect((reply as RedisConnectionError).retryable).toBe(true);
    }
    // The connection recovers by itself for the next command.
    expect(await c.call("GET", "drop:1")).toBe("a");
    await c.close();
    killer.disconnect();
  });

  it("times out a command through a blackholed proxy with a RedisTimeoutError", async () => {
    await using proxy = await createFaultProxy({ target: redis.server.url });
    const c = await connect(proxy.url, { commandTimeoutMs: 300 });
    expect(await c.call("PING")).toBe("PONG");
    const hold = proxy.blackhole();
    const error = await c.call("SET", "held", "1").catch((e: unknown) => e);
    expect(RedisTimeoutError.isInstance(error)).toBe(true);
    expect((error as RedisTimeoutError).outcome).toBe("unknown");
    expect((error as RedisTimeoutError).command).toBe("SET");
    // close() must not wait for a QUIT reply that never comes.
    await c.close();
    await hold.remove();
  });

  it("times out a command with a RedisTimeoutError", async () => {
    const c = await connect(redis.server.url, { commandTimeoutMs: 200 });
    const error = await c.call("DEBUG", "SLEEP", "1").catch((e: unknown) => e);
    expect(RedisTimeoutError.isInstance(error)).toBe(true);
    expect((error as RedisTimeoutError).outcome).toBe("unknown");
    await c.close();
  });
});

describe("scanKeys", () => {
  it("returns only keys of the requested type", async () => {
    const prefix = "scan:type:";
    await redis.conn.batch([
      ...Array.from({ length: 300 }, (_, i) => ["HSET", `${prefix}h${i}`, "f", "v"] as const),
      ...Array.from({ length: 200 }, (_, i) => ["SET", `${prefix}s${i}`, "v"] as const),
      ["RPUSH", `${prefix}list`, "x"],
    ]);
    const hashes: string[] = [];
    for await (const page of redis.conn.scanKeys({ pattern: `${prefix}*`, type: "hash", count: 50 }))
      hashes.push(...page);
    expect(new Set(hashes).size).toBe(300);
    expect(hashes.every((k) => k.startsWith(`${prefix}h`))).toBe(true);
    const all: string[] = [];
    for await (const page of redis.conn.scanKeys({ pattern: `${prefix}*` })) all.push(...page);
    expect(new Set(all).size).toBe(501);
  });

  it("never yields a key whose name is not UTF-8, and hands it to onNonUtf8Key", async () => {
    const binaryKey = Buffer.from([0x62, 0x69, 0x6e, 0x3a, 0xff, 0xfe]);
    await redis.conn.call("SET", binaryKey, "x");
    await redis.conn.call("SET", "bin:ok", "x");
    const seen: Buffer[] = [];
    const keys: string[] = [];
    for await (const page of redis.conn.scanKeys({
      pattern: "bin:*",
      onNonUtf8Key: (key) => seen.push(key),
    })) {
      keys.push(...page);
    }
    expect(keys.sort()).toEqual(["bin:1", "bin:ok"]);
    expect(seen.map((key) => key.equals(binaryKey))).toEqual([true]);

    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    for await (const _page of redis.conn.scanKeys({ pattern: "bin:*" })) {
      // drain
    }
    await waitFor(() => warnings.length > 0, { timeoutMs: 5_000 });
    process.off("warning", onWarning);
    expect(warnings[0]!.message).toContain("1 key(s)");
  });

  it("stops when its signal is aborted", async () => {
    const controller = new AbortController();
    const pages: string[][] = [];
    const run = async () => {
      for await (const page of redis.conn.scanKeys({ pattern: "*", count: 10, signal: controller.signal })) {
        pages.push(page);
        controller.abort();
      }
    };
    const error = await run().catch((e: unknown) => e);
    expect(PolarsRedisError.isInstance(error) && (error as PolarsRedisError).code).toBe("ABORTED");
    expect(pages.length).toBe(1);
  });
});

describe("duplicate", () => {
  it("opens an independent connection with the same settings", async () => {
    const c = await connect(`${redis.server.url}/5`);
    const twin = await c.duplicate();
    await twin.call("SET", "twin", "1");
    expect(await c.call("GET", "twin")).toBe("1");
    await twin.close();
    expect(await c.call("GET", "twin")).toBe("1");
    await c.close();
  });
});

describe("openRawChannel", () => {
  it("opens a raw socket with the URL's password and database, which readHashes uses", async () => {
    await using secured = await startRedis();
    const setup = new Redis({ port: secured.port, lazyConnect: true });
    await setup.connect();
    await setup.call("CONFIG", "SET", "requirepass", "pw");
    await setup.call("AUTH", "pw");
    await setup.select(2);
    for (let i = 0; i < 50; i++) await setup.hset(`raw:${i}`, "n", String(i), "name", `row ${i}`);
    const connectionsBefore = Number(/total_connections_received:(\d+)/.exec(await setup.info("stats"))![1]);

    const c = await connect(`redis://:pw@127.0.0.1:${secured.port}/2`);
    expect(typeof c.openRawChannel).toBe("function");
    const frame = await readHashes(c, { pattern: "raw:*", schema: { n: "int64", name: "utf8" } });
    await c.close();
    expect(frame.height).toBe(50);
    expect(frame.getColumn("n").sum()).toBe((49 * 50) / 2);
    // connect() opened one connection; the raw read opened another (authenticated, db 2, or it would read 0).
    const connectionsAfter = Number(/total_connections_received:(\d+)/.exec(await setup.info("stats"))![1]);
    expect(connectionsAfter - connectionsBefore).toBe(2);
    setup.disconnect();
  });
});
