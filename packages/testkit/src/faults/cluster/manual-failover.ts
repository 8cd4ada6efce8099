import { withAdminConnection } from "../../server/admin-connection.js";
import type { ClusterNode, RedisCluster } from "../../server/start-cluster.js";
import { waitFor } from "../../server/wait-for.js";
import { masterOf, replicasOf } from "./cluster-views.js";
import { type MasterSelector, selectMaster } from "./kill-master.js";

export interface ManualFailover {
  /** The replica that is now the master. */
  readonly promoted: ClusterNode;
  /** The former master, now its replica. */
  readonly demoted: ClusterNode;
}

export interface ManualFailoverOptions {
  /** The replica to promote; by default the first running replica of the selected master. */
  replica?: ClusterNode | undefined;
  /** The master to replace when no replica is named [the master of slot 0]. */
  master?: MasterSelector | undefined;
  /**
   * "default": coordinated with the master, no write is lost. "force": without the master's agreement (it may
   * be unreachable). "takeover": without the other masters' vote either.
   */
  mode?: "default" | "force" | "takeover" | undefined;
  timeoutMs?: number | undefined;
}

/**
 * `CLUSTER FAILOVER` on a replica: it becomes the master of its master's slots and the former master becomes
 * its replica. Resolves when both roles have switched and the cluster is healthy.
 */
export async function manualFailover(
  cluster: RedisCluster,
  { replica, master, mode = "default", timeoutMs = 60_000 }: ManualFailoverOptions = {},
): Promise<ManualFailover> {
  let promoted = replica;
  let demoted: ClusterNode;
  if (promoted === undefined) {
    demoted = await selectMaster(cluster, master);
    const replicas = await replicasOf(cluster, demoted);
    promoted = replicas[0];
    if (promoted === undefined) throw new Error(`${demoted.url} has no running replica to fail over to`);
  } else {
    demoted = await masterOf(cluster, promoted);
  }
  const chosen = promoted;
  await withAdminConnection(chosen, (redis) =>
    mode === "default"
      ? redis.call("CLUSTER", "FAILOVER")
      : redis.call("CLUSTER", "FAILOVER", mode.toUpperCase()),
  );
  await waitFor(
    async () =>
      (await chosen.role()) === "master" && (!demoted.isRunning() || (await demoted.role()) === "replica"),
    { timeoutMs, intervalMs: 100, description: `${chosen.url} to take over from ${demoted.url}` },
  );
  await cluster.waitForHealthy(timeoutMs);
  return { promoted: chosen, demoted };
}
