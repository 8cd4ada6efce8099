import type { Redis } from "ioredis";
import { callForString, withAdminConnection } from "./admin-connection.js";
import { clusterHealthProblem } from "./cluster-health.js";
import { parseClusterNodes } from "./cluster-topology.js";
import { keySlot } from "./key-slot.js";
import { RedisServerError } from "./redis-server-error.js";
import { launchServer, type RedisServer, type StartRedisOptions } from "./start-redis.js";
import { waitFor } from "./wait-for.js";

export const CLUSTER_SLOTS = 16_384;

export interface StartClusterOptions extends StartRedisOptions {
  /** Number of masters; the 16384 slots are split evenly between them. Default 3. */
  readonly masters?: number | undefined;
  /** Replicas attached to each master. Default 1. */
  readonly replicasPerMaster?: number | undefined;
  /** `cluster-node-timeout`: how long a node may be unreachable before failover starts. Default 2000 ms. */
  readonly nodeTimeoutMs?: number | undefined;
  /** How long startCluster() and waitForHealthy() wait for the cluster to be healthy. Default 60 s. */
  readonly readyTimeoutMs?: number | undefined;
}

/** One node of a started cluster: a RedisServer plus its cluster identity. */
export interface ClusterNode extends RedisServer {
  /** The cluster node id (kept across restart(): nodes.conf lives in the data dir). */
  readonly id: string;
  /** The role the node reports right now (ROLE), which changes on failover. */
  role(): Promise<"master" | "replica">;
}

export interface RedisCluster extends AsyncDisposable {
  /** `redis://127.0.0.1:<port>` of every node, masters first. */
  readonly urls: readonly string[];
  /** Seed addresses for a cluster client, e.g. `new Cluster(cluster.seeds)` (a fresh array each time). */
  readonly seeds: Array<{ host: string; port: number }>;
  /** Every node, masters first (in slot order), then replicas, as started. Roles may change later. */
  readonly nodes: readonly ClusterNode[];
  /** The node serving `slot` now, asked from a running node. */
  masterForSlot(slot: number): Promise<ClusterNode>;
  /** The node serving the slot of `key` (hash tags honoured). */
  masterForKey(key: string | Buffer): Promise<ClusterNode>;
  /**
   * Resolves when the running nodes form a healthy cluster: state ok, one slot map, every node agreeing on
   * every node's role, replicas in sync.
   */
  waitForHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every node and removes their data dirs. */
  stop(): Promise<void>;
}

function slotRange(index: number, masters: number): [number, number] {
  return [
    Math.floor((index * CLUSTER_SLOTS) / masters),
    Math.floor(((index + 1) * CLUSTER_SLOTS) / masters) - 1,
  ];
}

/** CLUSTER ADDSLOTSRANGE on a node that serves nothing yet (wiring a new cluster). */
async function addSlotRange(redis: Redis, [start, end]: [number, number]): Promise<void> {
  try {
    await redis.call("CLUSTER", "ADDSLOTSRANGE", String(start), String(end));
  } catch (error) {
    // ADDSLOTSRANGE is Redis 7.0+; older servers take the slots one by one.
    if (!/unknown subcommand|wrong number/i.test((error as Error).message)) throw error;
    const slots: string[] = [];
    for (let slot = start; slot <= end; slot++) slots.push(String(slot));
    await redis.call("CLUSTER", "ADDSLOTS", ...slots);
  }
}

class LocalClusterNode implements ClusterNode {
  constructor(
    private readonly server: RedisServer,
    readonly id: string,
  ) {}

  get host() {
    return this.server.host;
  }
  get port() {
    return this.server.port;
  }
  get url() {
    return this.server.url;
  }
  get pid() {
    return this.server.pid;
  }
  get dataDir() {
    return this.server.dataDir;
  }
  get logFile() {
    return this.server.logFile;
  }
  get args() {
    return this.server.args;
  }
  isRunning() {
    return this.server.isRunning();
  }
  logTail(lines?: number) {
    return this.server.logTail(lines);
  }
  kill() {
    return this.server.kill();
  }
  restart() {
    return this.server.restart();
  }
  stop() {
    return this.server.stop();
  }
  [Symbol.asyncDispose]() {
    return this.server.stop();
  }
  async role(): Promise<"master" | "replica"> {
    const reply = (await withAdminConnection(this, (redis) => redis.call("ROLE"))) as unknown[];
    return String(reply[0]) === "master" ? "master" : "replica";
  }
}

class LocalRedisCluster implements RedisCluster {
  constructor(
    readonly nodes: readonly ClusterNode[],
    private readonly readyTimeoutMs: number,
  ) {}

  get urls() {
    return this.nodes.map((node) => node.url);
  }

  get seeds() {
    return this.nodes.map((node) => ({ host: node.host, port: node.port }));
  }

  async masterForSlot(slot: number): Promise<ClusterNode> {
    if (!Number.isInteger(slot) || slot < 0 || slot >= CLUSTER_SLOTS) {
      throw new RangeError(`slot must be an integer in [0, ${CLUSTER_SLOTS - 1}], got ${slot}`);
    }
    const errors: string[] = [];
    for (const asked of this.nodes.filter((node) => node.isRunning())) {
      try {
        const reply = await withAdminConnection(asked, (redis) => callForString(redis, "CLUSTER", "NODES"));
        const owner = parseClusterNodes(reply, asked.host).find(
          (view) =>
            view.flags.has("master") && view.slots.some(([start, end]) => slot >= start && slot <= end),
        );
        const node = owner && this.nodes.find((candidate) => candidate.id === owner.id);
        if (node !== undefined) return node;
        errors.push(`${asked.url}: no master serves slot ${slot}`);
      } catch (error) {
        errors.push(`${asked.url}: ${(error as Error).message}`);
      }
    }
    throw new RedisServerError(`no running node could name the master of slot ${slot}: ${errors.join("; ")}`);
  }

  masterForKey(key: string | Buffer): Promise<ClusterNode> {
    return this.masterForSlot(keySlot(key));
  }

  async waitForHealthy(timeoutMs = this.readyTimeoutMs): Promise<void> {
    let problem: string | undefined = "not checked yet";
    await waitFor(
      async () => {
        const running = this.nodes.filter((node) => node.isRunning());
        problem = running.length === 0 ? "no node is running" : await clusterHealthProblem(running);
        return problem === undefined;
      },
      {
        timeoutMs,
        intervalMs: 100,
        onTimeout: () =>
          new RedisServerError(`the cluster did not become healthy within ${timeoutMs} ms: ${problem}`),
      },
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/**
 * Starts a real Redis Cluster on free loopback ports: `masters` masters sharing the 16384 slots evenly, each
 * with `replicasPerMaster` replicas. It is wired with plain commands (CLUSTER SET-CONFIG-EPOCH, ADDSLOTSRANGE,
 * MEET, REPLICATE; no redis-cli) and resolves once the cluster is healthy: `cluster_state:ok` on every node, one
 * slot map and one view of every node's role everywhere, every replica linked and caught up. Nodes never outlive this process (see reaper.ts).
 */
export async function startCluster(options: StartClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicasPerMaster = options.replicasPerMaster ?? 1;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 2_000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  if (!Number.isInteger(masters) || masters < 1 || masters > CLUSTER_SLOTS) {
    throw new RangeError(`masters must be an integer in [1, ${CLUSTER_SLOTS}], got ${masters}`);
  }
  if (!Number.isInteger(replicasPerMaster) || replicasPerMaster < 0) {
    throw new RangeError(`replicasPerMaster must be a non-negative integer, got ${replicasPerMaster}`);
  }
  if (!Number.isInteger(nodeTimeoutMs) || nodeTimeoutMs < 100) {
    throw new RangeError(`nodeTimeoutMs must be an integer >= 100, got ${nodeTimeoutMs}`);
  }

  const fixtureArgs = [
    ...["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"],
    ...["--cluster-node-timeout", String(nodeTimeoutMs)],
  ];
  const total = masters * (1 + replicasPerMaster);
  const started = await Promise.allSettled(
    Array.from({ length: total }, () => launchServer({ ...options, clusterBus: true, fixtureArgs })),
  );
  const servers = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failed = started.find((result) => result.status === "rejected");
  if (failed !== undefined) {
    await Promise.all(servers.map((server) => server.stop()));
    throw failed.reason;
  }

  try {
    const ids = await Promise.all(
      servers.map((server) =>
        withAdminConnection(server, async (redis) => callForString(redis, "CLUSTER", "MYID")),
      ),
    );
    const nodes = servers.map((server, index) => new LocalClusterNode(server, ids[index] as string));
    const cluster = new LocalRedisCluster(nodes, readyTimeoutMs);
    const masterNodes = nodes.slice(0, masters);

    // Distinct config epochs up front (as redis-cli does) so the nodes need not resolve epoch collisions.
    await Promise.all(
      masterNodes.map((node, index) =>
        withAdminConnection(node, async (redis) => {
          await redis.call("CLUSTER", "SET-CONFIG-EPOCH", String(index + 1));
          await addSlotRange(redis, slotRange(index, masters));
        }),
      ),
    );
    const first = nodes[0] as ClusterNode;
    await withAdminConnection(first, async (redis) => {
      for (const node of nodes.slice(1)) await redis.call("CLUSTER", "MEET", node.host, String(node.port));
    });

    // A replica can only follow a master it already knows: wait for the gossip to reach every node.
    await waitFor(
      async () => {
        const views = await Promise.all(
          nodes.map((node) => withAdminConnection(node, (redis) => callForString(redis, "CLUSTER", "NODES"))),
        );
        return views.every((reply) => {
          const known = parseClusterNodes(reply).filter((view) => !view.flags.has("handshake"));
          return ids.every((id) => known.some((view) => view.id === id));
        });
      },
      {
        timeoutMs: readyTimeoutMs,
        onTimeout: (lastError) =>
          new RedisServerError(`cluster nodes did not all meet within ${readyTimeoutMs} ms`, {
            cause: lastError,
          }),
      },
    );

    const replicaNodes = nodes.slice(masters);
    await Promise.all(
      replicaNodes.map((replica, index) => {
        const master = masterNodes[index % masters] as ClusterNode;
        return withAdminConnection(replica, (redis) => redis.call("CLUSTER", "REPLICATE", master.id));
      }),
    );
    // The health check only sees replicas that already say so; make sure each one follows its master first.
    await waitFor(
      async () => {
        const roles = await Promise.all(replicaNodes.map((replica) => replica.role()));
        return roles.every((role) => role === "replica");
      },
      {
        timeoutMs: readyTimeoutMs,
        onTimeout: (lastError) =>
          new RedisServerError(`replicas did not attach within ${readyTimeoutMs} ms`, { cause: lastError }),
      },
    );
    await cluster.waitForHealthy();
    return cluster;
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    throw error;
  }
}
