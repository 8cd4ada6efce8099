import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { startRedis } from "../src/index.js";
// Internal: the probe decides when startRedis() resolves, so it is tested on its own too.
import { probeRedisServer } from "../src/server/readiness-probe.js";
import { requiredPassword } from "../src/server/redis-process.js";

describe("readiness probe", () => {
  it("accepts only the redis-server process it started", async () => {
    await using server = await startRedis();
    expect(await probeRedisServer(server.host, server.port, server.pid)).toBe(true);
    // Another server on the port (one that took it after our probe) answers PING but is not ours.
    expect(await probeRedisServer(server.host, server.port, server.pid + 1)).toBe(false);
  });

  it("checks the identity of a server that requires a password, with that password", async () => {
    await using server = await startRedis({ args: ["--requirepass", "s3cret"] });
    const password = "s3cret";
    expect(await probeRedisServer(server.host, server.port, server.pid, { password })).toBe(true);
    // A foreign password-protected server on our port (wrong pid) is not taken for ours.
    expect(await probeRedisServer(server.host, server.port, server.pid + 1, { password })).toBe(false);
    expect(await probeRedisServer(server.host, server.port, server.pid, { password: "wrong" })).toBe(false);
    // startRedis found the password in its arguments and ran the same check.
    expect(requiredPassword(server.args)).toBe(password);
  });

  it("passwords: the last --requirepass wins, none means no AUTH", () => {
    expect(requiredPassword(["--port", "1", "--requirepass", "a", "--requirepass", "b c"])).toBe("b c");
    expect(requiredPassword(["--port", "1"])).toBeUndefined();
  });

  it("rejects a port where something else listens, and a closed port", async () => {
    const notRedis = createServer((socket) => {
      socket.resume(); // read to the client's FIN, so close() below can finish
      socket.end("HTTP/1.1 400 Bad Request\r\n\r\n");
    });
    await new Promise<void>((resolvePromise) =>
      notRedis.listen({ host: "127.0.0.1", port: 0 }, resolvePromise),
    );
    const { port } = notRedis.address() as { port: number };
    try {
      expect(await probeRedisServer("127.0.0.1", port, process.pid, { timeoutMs: 500 })).toBe(false);
    } finally {
      await new Promise<void>((resolvePromise) => notRedis.close(() => resolvePromise()));
    }
    expect(await probeRedisServer("127.0.0.1", port, process.pid, { timeoutMs: 500 })).toBe(false);
  });
});
