import { InvalidArgumentError } from "@polars-redis/core";
import { parseRedisUrl, redact } from "@polars-redis/core/internal";
import type { RedisOptions } from "ioredis";
import type { NodeAddress } from "./topology/node-address.js";

/** A seed node: a URL (`redis://user:pass@host:port`, `rediss://` for TLS), "host:port", or an address object. */
export type ClusterSeed = string | { host: string; port: number };

export interface ParsedSeeds {
  readonly addresses: NodeAddress[];
  /** Credentials and TLS found in seed URLs; they apply to every node. */
  readonly fromUrls: RedisOptions;
}

export function parseSeeds(seeds: ClusterSeed | readonly ClusterSeed[]): ParsedSeeds {
  const list = (Array.isArray(seeds) ? seeds : [seeds]) as readonly ClusterSeed[];
  if (list.length === 0)
    throw new InvalidArgumentError("seeds", "give at least one cluster node to start from");
  const addresses: NodeAddress[] = [];
  let fromUrls: RedisOptions = {};
  for (const seed of list) {
    if (typeof seed === "object" && seed !== null) {
      addresses.push(checkedAddress(seed.host, seed.port, JSON.stringify(seed)));
      continue;
    }
    if (typeof seed !== "string") {
      throw new InvalidArgumentError(
        "seeds",
        `expected URLs, "host:port" strings or {host, port}, got ${typeof seed}`,
      );
    }
    if (seed.includes("://")) {
      const url = parseRedisUrl(seed);
      if (url.db !== 0) {
        throw new InvalidArgumentError(
          "seeds",
          `${JSON.stringify(redact(seed))}: Redis Cluster has only database 0`,
        );
      }
      addresses.push({ host: url.host, port: url.port });
      fromUrls = {
        ...fromUrls,
        ...(url.username === undefined ? {} : { username: url.username }),
        ...(url.password === undefined ? {} : { password: url.password }),
        ...(url.tls ? { tls: {} } : {}),
      };
      continue;
    }
    const colon = seed.lastIndexOf(":");
    if (colon <= 0)
      throw new InvalidArgumentError("seeds", `${JSON.stringify(seed)} is not a URL or "host:port"`);
    addresses.push(
      checkedAddress(seed.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), Number(seed.slice(colon + 1)), seed),
    );
  }
  return { addresses, fromUrls };
}

function checkedAddress(host: unknown, port: unknown, shown: string): NodeAddress {
  if (typeof host !== "string" || host === "")
    throw new InvalidArgumentError("seeds", `${shown} has no host`);
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError("seeds", `${shown} has an invalid port`);
  }
  return { host, port };
}
