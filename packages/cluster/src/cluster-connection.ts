import {
  type BatchOptions,
  type BatchReply,
  type Command,
  ConnectionClosedError,
  type RedisArgument,
  type RedisConnection,
  type RedisReply,
  type ScanKeysOptions,
} from "@polars-redis/core";
import type { RawChannel, RawEndpoint } from "@polars-redis/core/internal";
import type { Cluster } from "ioredis";
import { runClusterBatch } from "./batch/cluster-batch.js";
import type { RedirectPolicy } from "./batch/redirect-policy.js";
import type { ClusterEventLog, ClusterStats } from "./cluster-events.js";
import { ClusterRawChannel } from "./raw/cluster-raw-channel.js";
import { scanClusterKeys } from "./scan/cluster-key-scan.js";
import type { ClusterTopology } from "./topology/cluster-topology.js";
import type { NodeAddress } from "./topology/node-address.js";
import type { NodePool } from "./topology/node-pool.js";
import { SLOT_COUNT } from "./topology/slot-map.js";
import { getOrCreate } from "./util/get-or-create.js";
import { backoffDelay } from "./util/sleep.js";

/** A master of the cluster as the connection currently sees it. */
export interface ClusterMasterInfo {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** Inclusive slot ranges it serves. */
  readonly slotRanges: ReadonlyArray<readonly [start: number, end: number]>;
}

export interface ClusterConnectionParts {
  readonly topology: ClusterTopology;
  readonly pool: NodePool;
  readonly events: ClusterEventLog;
  readonly policy: RedirectPolicy;
  readonly scanConcurrency: number;
  readonly scanDeduplication: boolean;
  /** Opens another connection with the same settings (for `duplicate`). */
  readonly reopen: () => Promise<ClusterConnection>;
  /** A command without a reply after this long fails (0: never); raw channels apply it per node. */
  readonly commandTimeoutMs: number;
  /** A node's address with the cluster's credentials and TLS, for raw sockets. */
  readonly rawEndpointFor: (address: NodeAddress) => RawEndpoint;
  /** A new ioredis Cluster client (lazy, sharded subscribers) with the same seeds and settings, for Pub/Sub. */
  readonly pubSubClient: () => Cluster;
}

/**
 * A RedisConnection over Redis Cluster, built on one standalone connection per master (see
 * docs/decisions/): batches are split by node and slot and re-driven on MOVED/ASK/TRYAGAIN, scans cover
 * every master and follow failovers and slot migrations.
 */
export class ClusterConnection implements RedisConnection {
  readonly kind = "cluster" as const;
  private closed = false;

  constructor(private readonly parts: ClusterConnectionParts) {}

  async call(command: string, ...args: RedisArgument[]): Promise<RedisReply> {
    return this.callOnce([command, ...args], false);
  }

  async callBuffer(command: string, ...args: RedisArgument[]): Promise<RedisReply> {
    return this.callOnce([command, ...args], true);
  }

  batch(commands: readonly Command[], options: BatchOptions = {}): Promise<BatchReply[]> {
    this.assertOpen();
    return runClusterBatch(this.parts, commands, options);
  }

  scanKeys(options: ScanKeysOptions = {}): AsyncIterable<string[]> {
    this.assertOpen();
    return scanClusterKeys(
      {
        topology: this.parts.topology,
        pool: this.parts.pool,
        events: this.parts.events,
        retryWindowMs: this.parts.policy.retryWindowMs,
        backoff: this.parts.policy.backoff,
        concurrency: this.parts.scanConcurrency,
        deduplicate: this.parts.scanDeduplication,
      },
      options,
    );
  }

  /**
   * A raw RESP2 byte stream over the whole cluster, for core's fast readers (readHashes takes it): commands are
   * routed to their key's master and the replies come back in order; MOVED, ASK, TRYAGAIN and CLUSTERDOWN are
   * followed per command, and read-only commands whose node dies or stops answering are sent again once the
   * slot map settles (see ClusterRawChannel).
   */
  async openRawChannel(): Promise<RawChannel> {
    this.assertOpen();
    const { policy } = this.parts;
    const channel = new ClusterRawChannel({
      topology: this.parts.topology,
      events: this.parts.events,
      endpointFor: this.parts.rawEndpointFor,
      maxRedirections: policy.maxRedirections,
      replyTimeoutMs: this.parts.commandTimeoutMs,
      retryWindowMs: policy.retryWindowMs,
      backoffMs: (attempt) => backoffDelay(attempt, policy.backoff),
    });
    try {
      await channel.open();
    } catch (error) {
      channel.close();
      throw error;
    }
    return channel;
  }

  duplicate(): Promise<RedisConnection> {
    this.assertOpen();
    return this.parts.reopen();
  }

  /**
   * A new ioredis Cluster client for Pub/Sub: SUBSCRIBE/PSUBSCRIBE on one node (Redis broadcasts classic
   * messages to every node), SSUBSCRIBE on each channel's slot owner; ioredis follows failovers and slot moves.
   */
  pubSubClient(): Cluster {
    this.assertOpen();
    return this.parts.pubSubClient();
  }

  /** The masters and their slots, as of the last topology refresh (or MOVED). */
  masters(): ClusterMasterInfo[] {
    const map = this.parts.topology.map;
    const ranges = new Map<string, Array<[number, number]>>();
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const owner = map.ownerOf(slot);
      if (owner === undefined) continue;
      const list = getOrCreate(ranges, owner.key, () => []);
      const last = list[list.length - 1];
      if (last !== undefined && last[1] === slot - 1) last[1] = slot;
      else list.push([slot, slot]);
    }
    return map.masters
      .filter((master) => ranges.has(master.key))
      .map((master) => ({ id: master.id, ...master.address, slotRanges: ranges.get(master.key)! }));
  }

  /** Reloads the slot map now (it is also reloaded on MOVED, CLUSTERDOWN and unreachable nodes). */
  async refreshTopology(): Promise<ClusterMasterInfo[]> {
    this.assertOpen();
    await this.parts.topology.refresh();
    return this.masters();
  }

  /** How often each ClusterEvent happened since the connection was opened. */
  stats(): ClusterStats {
    return this.parts.events.snapshot();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.parts.pool.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async callOnce(command: Command, buffers: boolean): Promise<RedisReply> {
    const [reply] = await this.batch([command], { buffers });
    if (reply instanceof Error) throw reply;
    return reply as RedisReply;
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new ConnectionClosedError();
    }
  }
}
