import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RedisConnectionError } from "@polars-redis/core";
import { type RedisCluster, startCluster } from "@polars-redis/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectCluster } from "../src/index.js";

// A cluster whose nodes also listen for TLS on a second port. The cluster announces the plain ports, so the
// client maps them to the TLS ports with natMap: it must then reach every node over TLS, with the CA it was
// given for the seed (TLS options and natMap both carried to every node).
const certificates = mkdtempSync(join(tmpdir(), "pr-cluster-tls-"));
let cluster: RedisCluster;
let ca: Buffer;
const tlsPorts = new Map<number, number>();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"],
      ...["-addext", "subjectAltName=IP:127.0.0.1"],
      ...["-keyout", join(certificates, "key.pem"), "-out", join(certificates, "cert.pem")],
    ],
    { stdio: "ignore" },
  );
  ca = readFileSync(join(certificates, "cert.pem"));
  cluster = await startCluster({
    masters: 3,
    replicasPerMaster: 0,
    nodeTimeoutMs: 2000,
    args: [
      ...["--tls-cert-file", join(certificates, "cert.pem"), "--tls-key-file", join(certificates, "key.pem")],
      ...["--tls-ca-cert-file", join(certificates, "cert.pem"), "--tls-auth-clients", "no"],
    ],
  });
  // Open a TLS port on each node (the plain port stays for the fixture's own checks).
  for (const node of cluster.nodes) {
    const port = await freePort();
    tlsPorts.set(node.port, port);
    const admin = new Redis({ host: node.host, port: node.port, lazyConnect: true, protocol: 2 });
    await admin.connect();
    await admin.call("CONFIG", "SET", "tls-port", String(port));
    admin.disconnect();
  }
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(certificates, { recursive: true, force: true });
});

describe("connectCluster over TLS", () => {
  it("reaches every node over TLS with the options given for the seed", async () => {
    const seed = cluster.nodes[0]!;
    const natMap = Object.fromEntries(
      [...tlsPorts].map(([plain, tls]) => [`127.0.0.1:${plain}`, { host: "127.0.0.1", port: tls }]),
    );
    const conn = await connectCluster(`rediss://127.0.0.1:${tlsPorts.get(seed.port)}`, {
      redisOptions: { tls: { ca, servername: "127.0.0.1" } },
      natMap,
    });
    try {
      expect(
        conn
          .masters()
          .map((master) => master.port)
          .sort(),
      ).toEqual([...tlsPorts.values()].sort());
      const keys = Array.from({ length: 300 }, (_, i) => `tls:${i}`);
      expect(await conn.batch(keys.map((key) => ["SET", key, key] as const))).toEqual(keys.map(() => "OK"));
      expect(await conn.batch(keys.map((key) => ["GET", key] as const))).toEqual(keys);
      const scanned: string[] = [];
      for await (const page of conn.scanKeys({ pattern: "tls:*" })) scanned.push(...page);
      expect(scanned.sort()).toEqual([...keys].sort());
    } finally {
      await conn.close();
    }
  });

  it("fails to reach the TLS ports without TLS", async () => {
    const seed = cluster.nodes[0]!;
    const error = await connectCluster(`redis://127.0.0.1:${tlsPorts.get(seed.port)}`, {
      connectTimeoutMs: 1500,
      topologyTimeoutMs: 1500,
    }).catch((e: unknown) => e);
    expect(RedisConnectionError.isInstance(error)).toBe(true);
  });
});
