import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** Redis Cluster listens for its bus on the client port + 10000. */
export const CLUSTER_BUS_PORT_OFFSET = 10_000;

const LOWEST_PORT = 10_000;
/** The well-known Redis ports (server, cluster bus, sentinel) are never handed out: a shared redis may live there. */
const RESERVED_PORTS = new Set([6379, 16379, 26379]);

/**
 * The first port of the kernel's ephemeral range. Outgoing connections get their local port from that range, so
 * a port picked below it cannot be taken by some client socket between our probe and redis-server's bind.
 */
function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/);
    const parsed = Number(low);
    return Number.isInteger(parsed) && parsed > 0 ? parsed : 32_768;
  } catch {
    return 32_768;
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once("error", () => resolvePromise(false));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => {
      server.close(() => resolvePromise(true));
    });
  });
}

/** Asks the kernel for any free port (fallback when no range below the ephemeral one is usable). */
function kernelAssignedPort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

/**
 * A loopback port that is free right now (and, with `clusterBus`, whose bus port +10000 is free too).
 *
 * Ports are drawn at random below the ephemeral range, so parallel test processes rarely pick the same one.
 * This is only a probe: another process can still take the port before redis-server binds it, so callers retry
 * on bind failure (see launchRedisProcess's PortInUseError, retried by launchServer and restart()).
 */
export async function pickFreePort(options: { clusterBus?: boolean | undefined } = {}): Promise<number> {
  const busOffset = options.clusterBus ? CLUSTER_BUS_PORT_OFFSET : 0;
  const highest = Math.min(ephemeralRangeStart(), 65_536) - 1 - busOffset;
  for (let attempt = 0; attempt < 64; attempt++) {
    const port =
      highest > LOWEST_PORT
        ? LOWEST_PORT + Math.floor(Math.random() * (highest - LOWEST_PORT + 1))
        : await kernelAssignedPort();
    if (RESERVED_PORTS.has(port) || RESERVED_PORTS.has(port + busOffset)) continue;
    if (port + busOffset > 65_535) continue;
    if (!(await canBind(port))) continue;
    if (busOffset > 0 && !(await canBind(port + busOffset))) continue;
    return port;
  }
  throw new Error("could not find a free loopback port after 64 attempts");
}
