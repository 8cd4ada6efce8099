import { describe, expect, it } from "vitest";
// Internal: the rules waitForHealthy() applies, checked on replies written by hand (the real ones only show
// these states for moments, which a test cannot hold still).
import { healthProblem, type NodeReport } from "../src/server/cluster-health.js";

const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);
const CLUSTER_OK = "cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_known_nodes:3\r\n";

/** One node's report; `nodes` are CLUSTER NODES lines, the node's own line flagged `myself`. */
function report(port: number, nodes: string[], replication: string): NodeReport {
  return {
    address: { host: "127.0.0.1", port },
    clusterInfo: CLUSTER_OK,
    clusterNodes: `${nodes.join("\n")}\n`,
    replication: `# Replication\r\n${replication}`,
  };
}

const line = (id: string, port: number, flags: string, master: string, slots = "") =>
  `${id} 127.0.0.1:${port}@${port + 10_000} ${flags} ${master} 0 0 1 connected${slots ? ` ${slots}` : ""}`;

const MASTER_REPLICATION = "role:master\r\nconnected_slaves:1\r\nmaster_repl_offset:42\r\n";
const REPLICA_REPLICATION =
  "role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:30001\r\nmaster_link_status:up\r\n" +
  "master_sync_in_progress:0\r\nslave_repl_offset:42\r\nmaster_repl_offset:42\r\n";

/** A (30001, slots 0-8191) with replica C (30003), and B (30002, slots 8192-16383), as `viewer` sees them. */
function views(viewer: string, cSeenAs: "replica" | "master" = "replica"): string[] {
  const mark = (id: string, flags: string) => (id === viewer ? `myself,${flags}` : flags);
  return [
    line(A, 30001, mark(A, "master"), "-", "0-8191"),
    line(B, 30002, mark(B, "master"), "-", "8192-16383"),
    cSeenAs === "replica" ? line(C, 30003, mark(C, "slave"), A) : line(C, 30003, mark(C, "master"), "-"),
  ];
}

describe("cluster health rules", () => {
  it("a cluster where every node agrees is healthy", () => {
    expect(
      healthProblem([
        report(30001, views(A), MASTER_REPLICATION),
        report(30002, views(B), "role:master\r\nmaster_repl_offset:0\r\n"),
        report(30003, views(C), REPLICA_REPLICATION),
      ]),
    ).toBeUndefined();
  });

  it("is not healthy while a node's view of another's role lags behind that node's own", () => {
    // C says it replicates A; B has not heard yet and still lists C as a master.
    expect(
      healthProblem([
        report(30001, views(A), MASTER_REPLICATION),
        report(30002, views(B, "master"), "role:master\r\nmaster_repl_offset:0\r\n"),
        report(30003, views(C), REPLICA_REPLICATION),
      ]),
    ).toBe(`127.0.0.1:30002 sees 127.0.0.1:30003 as master, but it says it is replica of ${A}`);
  });

  it("a lone node that never met another lists itself without a host, and is healthy", () => {
    const lone = `${A} :30001@40001 myself,master - 0 0 1 connected 0-16383\n`;
    expect(
      healthProblem([
        {
          address: { host: "127.0.0.1", port: 30001 },
          clusterInfo: CLUSTER_OK.replace("known_nodes:3", "known_nodes:1"),
          clusterNodes: lone,
          replication: "role:master\r\nmaster_repl_offset:0\r\n",
        },
      ]),
    ).toBeUndefined();
  });
});
