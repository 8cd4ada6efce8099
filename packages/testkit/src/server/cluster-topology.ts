/** One line of CLUSTER NODES, as seen by the node that was asked. */
export interface ClusterNodeView {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly flags: ReadonlySet<string>;
  /** Node id of the master this node replicates, or undefined for a master. */
  readonly masterId: string | undefined;
  readonly linkState: string;
  /** Inclusive slot ranges this node serves (migrating/importing markers are left out). */
  readonly slots: ReadonlyArray<readonly [number, number]>;
}

/**
 * Parses the CLUSTER NODES reply (format documented at https://redis.io/commands/cluster-nodes/). A node that
 * has never met another one lists itself without a host (":30001@40001"); `askedHost`, the host the reply came
 * from, fills it in.
 */
export function parseClusterNodes(reply: string, askedHost?: string): ClusterNodeView[] {
  const views: ClusterNodeView[] = [];
  for (const line of reply.split("\n")) {
    const fields = line.trim().split(" ");
    if (fields.length < 8) continue;
    const [id, address, flags, master, , , , linkState, ...slotFields] = fields as [
      string,
      string,
      string,
      string,
      ...string[],
    ];
    // "127.0.0.1:30001@40001" or "127.0.0.1:30001@40001,hostname"
    const hostPort = address.split("@")[0] ?? "";
    const colon = hostPort.lastIndexOf(":");
    const slots: Array<[number, number]> = [];
    for (const field of slotFields) {
      if (field.startsWith("[")) continue;
      const [start, end] = field.split("-");
      slots.push([Number(start), Number(end ?? start)]);
    }
    const flagSet = new Set(flags.split(","));
    const host = hostPort.slice(0, colon);
    views.push({
      id,
      host: host === "" && flagSet.has("myself") && askedHost !== undefined ? askedHost : host,
      port: Number(hostPort.slice(colon + 1)),
      flags: flagSet,
      masterId: master === "-" ? undefined : master,
      linkState: linkState ?? "",
      slots,
    });
  }
  return views;
}

/** A canonical text of who serves which slots, to compare nodes' views: "id:0-5460,...;id:...". */
export function slotMapSignature(views: readonly ClusterNodeView[]): string {
  return views
    .filter((view) => view.flags.has("master") && view.slots.length > 0)
    .map(
      (view) =>
        `${view.id}:${[...view.slots]
          .sort((a, b) => a[0] - b[0])
          .map(([s, e]) => `${s}-${e}`)
          .join(",")}`,
    )
    .sort()
    .join(";");
}

/** Flags that mean the viewing node does not (yet) consider that node a healthy member. */
export const UNHEALTHY_FLAGS = ["fail", "fail?", "handshake", "noaddr"] as const;
