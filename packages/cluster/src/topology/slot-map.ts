import type { NatMap } from "ioredis";
import { addressKey, applyNatMap, type NodeAddress } from "./node-address.js";

export const SLOT_COUNT = 16_384;

/** A master as the slot map knows it. */
export interface MasterNode {
  readonly id: string;
  readonly address: NodeAddress;
  readonly key: string;
}

/**
 * Which master serves each of the 16384 hash slots, as one snapshot. Lookups are an array index; MOVED
 * replies patch single slots in place (`assign`) until the next full refresh replaces the snapshot.
 */
export class SlotMap {
  /** Index into `masters` for each slot; -1 when no master serves the slot. */
  private readonly owners: Int16Array;
  private readonly masterList: MasterNode[];
  private roundRobin = 0;

  constructor(masters: MasterNode[], owners: Int16Array) {
    this.masterList = masters;
    this.owners = owners;
  }

  static empty(): SlotMap {
    return new SlotMap([], new Int16Array(SLOT_COUNT).fill(-1));
  }

  /**
   * Builds the map from a CLUSTER SLOTS reply (RESP2): `[[start, end, [host, port, id, ...], replica...], ...]`.
   * An empty host means "the address you asked"; "?" means the node's address is unknown (slot skipped).
   */
  static fromClusterSlots(reply: unknown, askedAddress: NodeAddress, natMap: NatMap | undefined): SlotMap {
    const masters: MasterNode[] = [];
    const byKey = new Map<string, number>();
    const owners = new Int16Array(SLOT_COUNT).fill(-1);
    if (!Array.isArray(reply)) throw new TypeError("CLUSTER SLOTS: expected an array reply");
    for (const range of reply) {
      if (!Array.isArray(range) || range.length < 3 || !Array.isArray(range[2])) continue;
      const start = Number(range[0]);
      const end = Number(range[1]);
      const [rawHost, rawPort, rawId] = range[2] as unknown[];
      const host = String(rawHost ?? "");
      if (host === "?") continue;
      const announced: NodeAddress = {
        host: host === "" ? askedAddress.host : host,
        port: Number(rawPort),
      };
      const address = applyNatMap(announced, natMap);
      const key = addressKey(address);
      let index = byKey.get(key);
      if (index === undefined) {
        index = masters.length;
        byKey.set(key, index);
        masters.push({ id: rawId == null ? key : String(rawId), address, key });
      }
      owners.fill(index, Math.max(0, start), Math.min(SLOT_COUNT - 1, end) + 1);
    }
    return new SlotMap(masters, owners);
  }

  ownerOf(slot: number): MasterNode | undefined {
    const index = this.owners[slot]!;
    return index < 0 ? undefined : this.masterList[index];
  }

  get masters(): readonly MasterNode[] {
    return this.masterList;
  }

  /** A master for a command without keys; rotates so keyless work spreads over the cluster. */
  anyMaster(): MasterNode | undefined {
    if (this.masterList.length === 0) return undefined;
    this.roundRobin = (this.roundRobin + 1) % this.masterList.length;
    return this.masterList[this.roundRobin];
  }

  masterById(id: string): MasterNode | undefined {
    return this.masterList.find((master) => master.id === id);
  }

  /** The slots each master serves, in slot order. */
  slotsByMaster(): Map<MasterNode, number[]> {
    const result = new Map<MasterNode, number[]>();
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const owner = this.ownerOf(slot);
      if (owner === undefined) continue;
      let slots = result.get(owner);
      if (slots === undefined) {
        slots = [];
        result.set(owner, slots);
      }
      slots.push(slot);
    }
    return result;
  }

  /** Slots no master serves (the cluster is down for them, e.g. during a failover). */
  uncoveredSlots(slots: Iterable<number>): number[] {
    const missing: number[] = [];
    for (const slot of slots) if (this.owners[slot]! < 0) missing.push(slot);
    return missing;
  }

  /** Records a MOVED answer: `slot` is now served by the node at `address`. */
  assign(slot: number, address: NodeAddress): void {
    const key = addressKey(address);
    let index = this.masterList.findIndex((master) => master.key === key);
    if (index < 0) {
      index = this.masterList.length;
      this.masterList.push({ id: key, address, key });
    }
    this.owners[slot] = index;
  }
}
