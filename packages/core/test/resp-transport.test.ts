import { createFaultProxy, killClients, pauseClients } from "@polars-redis/testkit";
import { useRedisConnection } from "@polars-redis/testkit/vitest";
import { describe, expect, it } from "vitest";
import { connect, type RedisConnection, RedisConnectionError, RedisTimeoutError } from "../src/index.js";
import {
  CommandPipe,
  encodeBulk,
  encodeCommands,
  RespEncoder,
  RespErrorReply,
  RespFrameDecoder,
  RespReader,
  type RespValue,
  respValueLength,
  respValueReader,
  takesRawPath,
} from "../src/internal.js";

const redis = useRedisConnection({ connect });

const resp = (...commands: string[][]): Buffer => encodeCommands(commands);

describe("RespReader with the value decoder", () => {
  const stream = Buffer.from(
    "+OK\r\n-WRONGTYPE Operation against a key\r\n:42\r\n:-7\r\n$4\r\nhé!\r\n$-1\r\n*-1\r\n*0\r\n" +
      "*3\r\n:1\r\n*2\r\n+QUEUED\r\n-OOM no\r\n$0\r\n\r\n+tail\r\n",
  );
  const expected: RespValue[] = [
    "OK",
    new RespErrorReply("WRONGTYPE Operation against a key"),
    42,
    -7,
    "hé!",
    null,
    null,
    [],
    [1, ["QUEUED", new RespErrorReply("OOM no")], ""],
    "tail",
  ];

  it("parses every reply type, nested arrays included", () => {
    const replies: RespValue[] = [];
    respValueReader((reply) => replies.push(reply)).push(stream);
    expect(replies).toEqual(expected);
    expect(replies[1]).toBeInstanceOf(RespErrorReply);
  });

  it("gives the same replies whatever the chunk boundaries: every split point, and one byte at a time", () => {
    for (let split = 1; split < stream.length; split++) {
      const replies: RespValue[] = [];
      const reader = respValueReader((reply) => replies.push(reply));
      reader.push(stream.subarray(0, split));
      reader.push(stream.subarray(split));
      expect(replies, `split at ${split}`).toEqual(expected);
    }
    const replies: RespValue[] = [];
    const reader = respValueReader((reply) => replies.push(reply));
    for (let at = 0; at < stream.length; at++) reader.push(stream.subarray(at, at + 1));
    expect(replies).toEqual(expected);
  });

  it("throws on bytes that are not RESP2", () => {
    const reader = respValueReader(() => undefined);
    expect(() => reader.push(Buffer.from("HTTP/1.1 400\r\n"))).toThrow(/not a RESP2 reply/);
  });
});

describe("RespReader with the frame decoder (reply boundaries, for forwarders)", () => {
  const stream = Buffer.from("+OK\r\n*2\r\n$3\r\nabc\r\n:7\r\n$-1\r\n-ERR no\r\n*0\r\n");
  const expected = ["+OK\r\n", "*2\r\n$3\r\nabc\r\n:7\r\n", "$-1\r\n", "-ERR no\r\n", "*0\r\n"];

  it("reports every reply's bytes whatever the chunk boundaries", () => {
    for (let split = 1; split < stream.length; split++) {
      const frames: string[] = [];
      const reader = new RespReader(
        new RespFrameDecoder((buffer, start, end) =>
          frames.push(Buffer.from(buffer.subarray(start, end)).toString("latin1")),
        ),
      );
      reader.push(stream.subarray(0, split));
      reader.push(stream.subarray(split));
      expect(frames, `split at ${split}`).toEqual(expected);
      expect(reader.replies).toBe(expected.length);
    }
  });

  it("respValueLength frames a value or says it is incomplete", () => {
    expect(respValueLength(stream, 5)).toBe(expected[1]!.length);
    expect(respValueLength(stream.subarray(0, 12), 5)).toBe(-1);
    expect(() => respValueLength(Buffer.from("?x\r\n"), 0)).toThrow(/not a RESP2 reply/);
  });
});

describe("RespEncoder", () => {
  it("encodes text (UTF-8), bytes, byte ranges, pre-encoded parts and byte sources as RESP2 commands", () => {
    const encoder = new RespEncoder(16); // tiny: every write grows the buffer
    encoder.args(["SET", "clé", "v".repeat(200)]);
    encoder.command(3);
    encoder.raw(encodeBulk("HSET"));
    encoder.bytesOf(Buffer.from("xxkeyxx"), 2, 5);
    const source = {
      byteLength: () => 2,
      copyTo: (_: number, t: Uint8Array, o: number) => t.set([0, 255], o),
    };
    encoder.columnValue(source, 0);
    expect(encoder.commandCount).toBe(2);
    const bytes = encoder.take();
    expect(encoder.length).toBe(0);
    expect(bytes).toEqual(
      Buffer.concat([
        encodeCommands([["SET", "clé", "v".repeat(200)]]),
        Buffer.from("*3\r\n$4\r\nHSET\r\n$3\r\nkey\r\n$2\r\n"),
        Buffer.from([0, 255]),
        Buffer.from("\r\n"),
      ]),
    );
    expect(encodeCommands([["GET", "clé"]]).toString("utf8")).toBe("*2\r\n$3\r\nGET\r\n$4\r\nclé\r\n");
  });
});

describe("takesRawPath: the one check for the raw path", () => {
  const conn = (kind: "standalone" | "cluster", raw: boolean) =>
    ({ kind, ...(raw ? { openRawChannel: async () => undefined } : {}) }) as unknown as RedisConnection;
  it("keyed commands on any connection with raw channels; anything else on a single server only", () => {
    expect(takesRawPath(conn("standalone", true), "any")).toBe(true);
    expect(takesRawPath(conn("standalone", true), "keyed")).toBe(true);
    expect(takesRawPath(conn("cluster", true), "keyed")).toBe(true);
    expect(takesRawPath(conn("cluster", true), "any")).toBe(false);
    expect(takesRawPath(conn("standalone", false), "keyed")).toBe(false);
  });
});

describe("CommandPipe (real server)", () => {
  it("answers pipelined requests in order, each with its own replies, errors included", async () => {
    const pipe = new CommandPipe(await redis.conn.openRawChannel!());
    try {
      const requests = Array.from({ length: 50 }, (_, i) =>
        pipe.send(
          resp(["SET", `pipe:${i}`, String(i)], ["INCR", `pipe:${i}`], ["HSET", `pipe:${i}`, "f", "v"]),
          3,
          "TEST",
        ),
      );
      expect(pipe.inFlight).toBeGreaterThan(0);
      const replies = await Promise.all(requests);
      replies.forEach((reply, i) => {
        expect(reply.slice(0, 2)).toEqual(["OK", i + 1]);
        expect((reply[2] as RespErrorReply).message).toMatch(/^WRONGTYPE/);
      });
      expect(pipe.inFlight).toBe(0);
    } finally {
      pipe.close();
    }
  });

  it("fails waiting requests with outcome unknown when the connection drops, then refuses more", async () => {
    await using proxy = await createFaultProxy({ target: redis.server.url });
    const conn = await connect(proxy.url);
    try {
      const pipe = new CommandPipe(await conn.openRawChannel!());
      // The replies are held back, so the request is certainly waiting when the connection drops.
      proxy.blackhole({ direction: "toClient" });
      const waiting = pipe.send(resp(["INCR", "dropped"]), 1, "INCR").catch((failure: unknown) => failure);
      await expect.poll(() => redis.conn.call("GET", "dropped")).toBe("1");
      expect(proxy.dropConnections()).toBeGreaterThan(0);
      const error = await waiting;
      expect(RedisConnectionError.isInstance(error)).toBe(true);
      expect((error as RedisConnectionError).outcome).toBe("unknown");
      expect(pipe.closed).toBe(true);
      const refused = await pipe.send(resp(["PING"]), 1, "PING").catch((failure: unknown) => failure);
      expect(RedisConnectionError.isInstance(refused)).toBe(true);
      expect((refused as RedisConnectionError).outcome).toBe("rejected");
    } finally {
      await conn.close();
    }
  });

  it("is killed with its connection by name (the channel carries the connection's CLIENT SETNAME)", async () => {
    const conn = await connect(redis.server.url, { ioredis: { connectionName: "pipe-victim" } });
    try {
      const pipe = new CommandPipe(await conn.openRawChannel!());
      expect(await pipe.send(resp(["PING"]), 1, "PING")).toEqual(["PONG"]);
      expect(await killClients(redis.server, { name: "pipe-victim" })).toBe(2);
      await expect.poll(() => pipe.closed).toBe(true);
    } finally {
      await conn.close();
    }
  });

  it("times out (outcome unknown) when the server stops answering, and closes the channel", async () => {
    await using proxy = await createFaultProxy({ target: redis.server.url });
    const conn = await connect(proxy.url, { commandTimeoutMs: 300 });
    try {
      const channel = await conn.openRawChannel!();
      expect(channel.replyTimeoutMs).toBe(300);
      const pipe = new CommandPipe(channel);
      expect(await pipe.send(resp(["PING"]), 1, "PING")).toEqual(["PONG"]);
      proxy.blackhole({ direction: "toClient" });
      const error = await pipe.send(resp(["PING"]), 1, "PING").catch((failure: unknown) => failure);
      expect(RedisTimeoutError.isInstance(error)).toBe(true);
      expect((error as RedisTimeoutError).outcome).toBe("unknown");
      expect(pipe.closed).toBe(true);
    } finally {
      await conn.close();
    }
  });

  it("close() rejects what is still waiting, as unknown", async () => {
    await using pause = await pauseClients(redis.server, { ms: 2_000, mode: "ALL" });
    const pipe = new CommandPipe(await redis.conn.openRawChannel!());
    const waiting = pipe.send(resp(["PING"]), 1, "PING").catch((failure: unknown) => failure);
    pipe.close();
    const error = await waiting;
    expect(RedisConnectionError.isInstance(error)).toBe(true);
    expect((error as RedisConnectionError).outcome).toBe("unknown");
    await pause.unpause();
  });

  it("a connection closes the raw channels it opened when it closes", async () => {
    const conn = await connect(redis.server.url, { ioredis: { connectionName: "raw-owner" } });
    const channel = await conn.openRawChannel!();
    const closed = new Promise<Error | undefined>((resolve) => channel.onClose(resolve));
    const named = async () =>
      ((await redis.conn.call("CLIENT", "LIST")) as string)
        .split("\n")
        .filter((line) => line.includes("name=raw-owner")).length;
    expect(await named()).toBe(2);
    await conn.close();
    expect(await closed).toBeUndefined();
    await expect.poll(named).toBe(0);
    await expect(conn.openRawChannel!()).rejects.toThrow(/closed/);
  });
});

describe("raw channel setup", () => {
  it("a server that refuses the setup (maxclients) fails the open at once instead of hanging", async () => {
    // A user and a name: two setup commands (AUTH, CLIENT SETNAME), and the refusal is one line and a close.
    await redis.conn.call("ACL", "SETUSER", "setup", "on", ">pw", "~*", "+@all");
    const conn = await connect(redis.server.url.replace("redis://", "redis://setup:pw@"), {
      ioredis: { connectionName: "setup-check" },
    });
    const clients = ((await redis.conn.call("CLIENT", "LIST")) as string).trim().split("\n").length;
    await redis.conn.call("CONFIG", "SET", "maxclients", String(clients));
    try {
      const error = await conn.openRawChannel!().catch((failure: unknown) => failure);
      expect(RedisConnectionError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/max number of clients|closed the connection/);
    } finally {
      await redis.conn.call("CONFIG", "SET", "maxclients", "10000");
      await conn.close();
      await redis.conn.call("ACL", "DELUSER", "setup");
    }
  });
});
