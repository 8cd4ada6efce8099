import type { BatchReply, Command } from "@polars-redis/core";
import type { NodeAddress } from "../topology/node-address.js";

/**
 * The smallest thing the cluster batch sends: one command, or a whole MULTI ... EXEC group that must reach
 * one node back to back. It remembers where it has been redirected and its latest replies.
 */
export interface BatchUnit {
  readonly commands: readonly Command[];
  /** The hash slot that decides the node; -1 for commands without keys (any master). */
  readonly slot: number;
  readonly isTransaction: boolean;
  /** Set by an ASK reply: send once to this node, preceded by ASKING. */
  askTarget: NodeAddress | undefined;
  /**
   * For a command without keys (slot -1) that met MOVED: the slot that reply named. The unit then goes to that
   * slot's owner (the node MOVED names, or its successor after a refresh) instead of any master.
   */
  movedSlot: number | undefined;
  redirections: number;
  /** One reply per command, from the latest attempt. */
  replies: BatchReply[] | undefined;
  /** The host of the node that produced `replies` (an empty host in MOVED/ASK means that node). */
  answeredBy: string;
}

export function createUnit(commands: readonly Command[], slot: number, isTransaction = false): BatchUnit {
  return {
    commands,
    slot,
    isTransaction,
    askTarget: undefined,
    movedSlot: undefined,
    redirections: 0,
    replies: undefined,
    answeredBy: "",
  };
}
