import { type BatchReply, RedisCommandError, RedisConnectionError } from "@polars-redis/core";
import type { NodeAddress } from "../topology/node-address.js";

/** What to do with a command after one attempt. */
export type Verdict =
  | { readonly kind: "done" }
  | { readonly kind: "moved"; readonly slot: number; readonly address: NodeAddress }
  | { readonly kind: "ask"; readonly slot: number; readonly address: NodeAddress }
  | { readonly kind: "tryagain" }
  | { readonly kind: "clusterdown"; readonly message: string }
  /** The command never left this process (no connection): re-sending it cannot apply it twice. */
  | { readonly kind: "not-sent"; readonly message: string };

const DONE: Verdict = { kind: "done" };

/**
 * Reads "MOVED 3999 127.0.0.1:6381" / "ASK 3999 127.0.0.1:6381". An empty host means "the node you asked".
 */
export function parseRedirect(
  message: string,
  askedHost: string,
): { slot: number; address: NodeAddress } | undefined {
  const match = /^(?:MOVED|ASK) (\d+) (.*):(\d+)\s*$/.exec(message);
  if (!match) return undefined;
  return {
    slot: Number(match[1]),
    address: { host: match[2] === "" ? askedHost : match[2]!, port: Number(match[3]) },
  };
}

export function classifyReply(reply: BatchReply, askedHost: string): Verdict {
  if (!(reply instanceof Error)) return DONE;
  if (RedisCommandError.isInstance(reply)) {
    switch (reply.redisCode) {
      case "MOVED":
      case "ASK": {
        const redirect = parseRedirect(reply.message, askedHost);
        if (redirect === undefined) return DONE;
        return { kind: reply.redisCode === "MOVED" ? "moved" : "ask", ...redirect };
      }
      case "TRYAGAIN":
        return { kind: "tryagain" };
      case "CLUSTERDOWN":
        return { kind: "clusterdown", message: reply.message };
      default:
        return DONE;
    }
  }
  if (RedisConnectionError.isInstance(reply) && reply.outcome === "rejected") {
    return { kind: "not-sent", message: reply.message };
  }
  // Timeouts and connections lost after sending: the outcome is unknown, the command is never re-sent.
  return DONE;
}

/**
 * The verdict for a MULTI ... EXEC group: re-sent as a whole only when nothing of it can have been applied
 * (a redirect at queue time makes EXEC fail with EXECABORT; a MULTI that was never sent).
 */
export function classifyTransaction(replies: readonly BatchReply[], askedHost: string): Verdict {
  if (replies.some((reply) => reply instanceof Error && "outcome" in reply && reply.outcome === "unknown")) {
    return DONE;
  }
  const first = classifyReply(replies[0]!, askedHost);
  if (first.kind === "not-sent") return first;
  const exec = replies[replies.length - 1];
  if (!(RedisCommandError.isInstance(exec) && exec.redisCode === "EXECABORT")) return DONE;
  for (const reply of replies.slice(1, -1)) {
    const verdict = classifyReply(reply, askedHost);
    if (verdict.kind !== "done") return verdict;
  }
  return DONE;
}
