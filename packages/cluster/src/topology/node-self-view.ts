/**
 * What one node says about itself in CLUSTER NODES: whether it is a master, which slots it serves, and which
 * of those it is migrating away (and to which node id). Only a node's own line is authoritative about its
 * slots; its view of the other nodes may lag behind by a gossip round.
 */
export interface NodeSelfView {
  readonly id: string;
  readonly isMaster: boolean;
  /** The master's node id when this node is a replica. */
  readonly masterId: string | undefined;
  readonly ownedSlots: ReadonlySet<number>;
  /** Slot -> id of the node it is being migrated to (`[slot->-id]` entries). */
  readonly migrating: ReadonlyMap<number, string>;
}

export function parseNodeSelfView(clusterNodes: string): NodeSelfView {
  const line = clusterNodes.split("\n").find((candidate) => {
    const flags = candidate.split(" ")[2];
    return flags?.split(",").includes("myself") ?? false;
  });
  if (line === undefined) throw new TypeError("CLUSTER NODES: no line is flagged 'myself'");
  const fields = line.trim().split(" ");
  const flags = fields[2]!.split(",");
  const owned = new Set<number>();
  const migrating = new Map<number, string>();
  for (const entry of fields.slice(8)) {
    if (entry.startsWith("[")) {
      // "[slot->-targetId]" migrating away; "[slot-<-sourceId]" importing (not ours yet).
      const match = /^\[(\d+)->-([0-9a-f]+)\]$/.exec(entry);
      if (match) migrating.set(Number(match[1]), match[2]!);
      continue;
    }
    const dash = entry.indexOf("-");
    const start = Number(dash < 0 ? entry : entry.slice(0, dash));
    const end = Number(dash < 0 ? entry : entry.slice(dash + 1));
    for (let slot = start; slot <= end; slot++) owned.add(slot);
  }
  const isMaster = flags.includes("master");
  return {
    id: fields[0]!,
    isMaster,
    masterId: isMaster || fields[3] === "-" ? undefined : fields[3],
    ownedSlots: owned,
    migrating,
  };
}
