import { RedisCommandError, RedisConnectionError } from "@polars-redis/core";
import type { NatMap } from "ioredis";
import type { ClusterEventLog } from "../cluster-events.js";
import { withTimeout } from "../util/with-timeout.js";
import { parseNodeAddresses } from "./cluster-node-addresses.js";
import { addressKey, applyNatMap, type NodeAddress } from "./node-address.js";
import type { NodePool } from "./node-pool.js";
import { type NodeSelfView, parseNodeSelfView } from "./node-self-view.js";
import { SLOT_COUNT, SlotMap } from "./slot-map.js";

export interface ClusterTopologyOptions {
  readonly seeds: readonly NodeAddress[];
  readonly natMap: NatMap | undefined;
  /** How long one node may take to answer CLUSTER SLOTS before the next one is asked. */
  readonly refreshTimeoutMs: number;
  readonly events: ClusterEventLog;
}

/**
 * The client's picture of the cluster: the current slot map, and every node address it has heard of (seeds,
 * masters and replicas), so a refresh still finds someone to ask when masters die.
 */
export class ClusterTopology {
  private current = SlotMap.empty();
  private readonly known = new Map<string, NodeAddress>();
  private inFlight: Promise<SlotMap> | undefined;
  private generation = 0;

  constructor(
    private readonly pool: NodePool,
    private readonly options: ClusterTopologyOptions,
  ) {
    for (const seed of options.seeds) this.known.set(addressKey(seed), seed);
  }

  get map(): SlotMap {
    return this.current;
  }

  /** Increases with every completed refresh. */
  get version(): number {
    return this.generation;
  }

  /** Every node address heard of so far: seeds, masters and replicas. */
  knownAddresses(): NodeAddress[] {
    return [...this.known.values()];
  }

  /** Applies the NAT map to an address the cluster announced (a MOVED or ASK target). */
  resolve(announced: NodeAddress): NodeAddress {
    return applyNatMap(announced, this.options.natMap);
  }

  /**
   * Reloads the slot map from CLUSTER SLOTS. Concurrent callers share one refresh. Masters are asked first,
   * then every other known node; the first answer that covers all 16384 slots wins, else the one covering the
   * most. Rejects with a RedisConnectionError when no node answers.
   */
  refresh(): Promise<SlotMap> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * CLUSTER NODES on one node: what it says about itself (authoritative), and an id -> address lookup for
   * the nodes it knows (the slot map's address when the id serves slots, else the announced one).
   */
  async selfView(
    address: NodeAddress,
  ): Promise<{ self: NodeSelfView; addressOf: (id: string) => NodeAddress | undefined }> {
    const reply = String(await this.pool.use(address, (connection) => connection.call("CLUSTER", "NODES")));
    const announced = parseNodeAddresses(reply, this.options.natMap);
    return {
      self: parseNodeSelfView(reply),
      addressOf: (id) => this.current.masterById(id)?.address ?? announced.get(id),
    };
  }

  private async load(): Promise<SlotMap> {
    const candidates = new Map<string, NodeAddress>();
    for (const master of this.current.masters) candidates.set(master.key, master.address);
    for (const [key, address] of this.known) candidates.set(key, address);

    let best: { map: SlotMap; covered: number; replicas: NodeAddress[] } | undefined;
    const failures: string[] = [];
    for (const address of candidates.values()) {
      try {
        const reply = await withTimeout(
          this.pool.use(address, (connection) => connection.call("CLUSTER", "SLOTS")),
          this.options.refreshTimeoutMs,
          `CLUSTER SLOTS on ${addressKey(address)}`,
        );
        const map = SlotMap.fromClusterSlots(reply, address, this.options.natMap);
        const covered = SLOT_COUNT - map.uncoveredSlots(allSlots()).length;
        if (best === undefined || covered > best.covered) {
          best = { map, covered, replicas: replicaAddresses(reply, address, this.options.natMap) };
        }
        if (covered === SLOT_COUNT) break;
      } catch (error) {
        failures.push(`${addressKey(address)}: ${(error as Error).message}`);
        // Misconfiguration (not in cluster mode, wrong or missing credentials) will not heal: say so at once.
        if (isConfigurationError(error)) throw error;
      }
    }
    if (best === undefined) {
      throw new RedisConnectionError({
        message: `no cluster node answered CLUSTER SLOTS (${failures.join("; ")})`,
        outcome: "rejected",
      });
    }
    this.current = best.map;
    this.generation++;
    for (const master of best.map.masters) this.known.set(master.key, master.address);
    for (const replica of best.replicas) this.known.set(addressKey(replica), replica);
    // Connections are only worth keeping to masters (all traffic goes there); others close once idle.
    this.pool.retireAllExcept(new Set(best.map.masters.map((master) => master.key)));
    this.options.events.emit({
      type: "topology-refreshed",
      masters: best.map.masters.map((master) => master.key),
    });
    return best.map;
  }
}

let everySlot: number[] | undefined;
function allSlots(): number[] {
  everySlot ??= Array.from({ length: SLOT_COUNT }, (_, slot) => slot);
  return everySlot;
}

function replicaAddresses(reply: unknown, asked: NodeAddress, natMap: NatMap | undefined): NodeAddress[] {
  const addresses: NodeAddress[] = [];
  if (!Array.isArray(reply)) return addresses;
  for (const range of reply) {
    if (!Array.isArray(range)) continue;
    for (const node of range.slice(3)) {
      if (!Array.isArray(node)) continue;
      const host = String(node[0] ?? "");
      if (host === "?") continue;
      addresses.push(applyNatMap({ host: host === "" ? asked.host : host, port: Number(node[1]) }, natMap));
    }
  }
  return addresses;
}

function isConfigurationError(error: unknown): boolean {
  if (!RedisCommandError.isInstance(error)) return false;
  return (
    ["NOAUTH", "WRONGPASS", "NOPERM"].includes(error.redisCode) ||
    /cluster support disabled/i.test(error.message)
  );
}
