import { type KeyError, RedisCommandError, type RedisConnection } from "@polars-redis/core";
import {
  type CommandPipe,
  commandPipeFor,
  RespEncoder,
  RespErrorReply,
  type RespValue,
} from "@polars-redis/core/internal";
import { WriteInterruptedError } from "../../errors/write-interrupted-error.js";
import type { HashRow } from "../../writers/hash-row.js";
import type { KeyStatus, WritePlan } from "../write-plan.js";

/** Keys per MULTI/EXEC in "replace" mode: the same bound the scripts use, for the same reason. */
const KEYS_PER_TRANSACTION = 100;
/** A transaction closes once its commands reach this size, so the server never queues much per client. */
const TRANSACTION_BYTES = 1024 * 1024;
/** Encoded bytes per pipe request; a batch of large hashes is written as several requests. */
const REQUEST_BYTES = 8 * 1024 * 1024;

const MULTI = Buffer.from("MULTI");
const EXEC = Buffer.from("EXEC");
const DEL = Buffer.from("DEL");
const PEXPIRE = Buffer.from("PEXPIRE");

/** Where a request's commands are: which units, and the reply index of each unit's HSET. */
interface Transaction {
  readonly units: number[];
  /** Reply index (within the request) of MULTI, or -1 when the units are plain HSETs. */
  multiAt: number;
  readonly hsetAt: number[];
  /** Reply index of EXEC, or -1. */
  execAt: number;
}

/**
 * Writes hashes as plain pipelined commands over the connection's raw pipe, with no script: the server does
 * the least work a write can cost, and the client encodes values straight from Arrow memory.
 *
 * - "replace": per group of up to 100 keys, `MULTI, DEL keys..., HSET key fields... [PEXPIRE key ttl]..., EXEC`.
 *   The group is applied at once or not at all (an OOM refusal aborts it whole), so no reader sees a key
 *   deleted and not yet written, and a refused key is left untouched. DEL first means HSET cannot meet a
 *   WRONGTYPE: replace overwrites a key of any type, as the script path does.
 * - "append" without TTL: one HSET per key, each atomic on its own; a WRONGTYPE or OOM fails that key alone.
 *   (Append with a TTL takes the script path: HSET and PEXPIRE must not be split by a failure in between.)
 */
export class HashPipePlan implements WritePlan<HashRow> {
  readonly idempotent = true;
  readonly description: string;
  private readonly encoder = new RespEncoder();
  /** A transaction's HSETs, encoded before its DEL. */
  private readonly body = new RespEncoder();

  constructor(private readonly mode: "replace" | "append") {
    this.description = `HSET (hashes, ${mode})`;
  }

  async send(
    connection: RedisConnection,
    units: readonly HashRow[],
    signal?: AbortSignal,
  ): Promise<KeyStatus[]> {
    const pipe = await commandPipeFor(connection);
    if (signal?.aborted) {
      // Aborted while the pipe opened: send nothing.
      return units.map(
        () => new WriteInterruptedError({ outcome: "rejected", retryable: true, cause: signal.reason }),
      );
    }
    // A previous send that threw while encoding (a value Polars could not format) may have left bytes behind.
    this.encoder.reset();
    this.body.reset();
    const statuses: KeyStatus[] = new Array(units.length);
    const requests: Promise<void>[] = [];
    let transactions: Transaction[] = [];

    const flush = (): void => {
      if (this.encoder.commandCount === 0) return;
      const count = this.encoder.commandCount;
      const sent = transactions;
      transactions = [];
      requests.push(
        pipe.send(this.encoder.take(), count, "HSET").then(
          (replies) => {
            for (const transaction of sent) this.settle(transaction, replies, units, statuses);
          },
          (error: KeyError) => {
            for (const transaction of sent) for (const index of transaction.units) statuses[index] = error;
          },
        ),
      );
    };

    if (this.mode === "append") {
      let group = plainGroup();
      transactions.push(group);
      for (let index = 0; index < units.length; index++) {
        if (units[index]!.isEmpty) {
          statuses[index] = "skipped";
          continue;
        }
        group.units.push(index);
        group.hsetAt.push(this.encoder.commandCount);
        units[index]!.writeHset(this.encoder);
        if (this.encoder.length >= REQUEST_BYTES && index + 1 < units.length) {
          flush();
          group = plainGroup();
          transactions.push(group);
        }
      }
    } else {
      for (let from = 0; from < units.length; ) {
        from = this.encodeTransaction(units, from, statuses, transactions);
        if (this.encoder.length >= REQUEST_BYTES) flush();
      }
    }
    flush();

    const release = this.watchAbort(signal, pipe, requests.length);
    try {
      await Promise.all(requests);
    } finally {
      release();
    }
    return statuses;
  }

  /**
   * An abandoned request leaves the pipe in an unknown state: on abort, close the pipes this write is waiting on,
   * so nothing later waits behind it (see `abandon`). One listener per write, not per batch (a write keeps up to
   * `parallel` batches in flight on the same signal); removed once no batch is in flight.
   */
  private watchAbort(signal: AbortSignal | undefined, pipe: CommandPipe, requests: number): () => void {
    if (signal === undefined || requests === 0) return () => undefined;
    if (this.requestsInFlight.size === 0) signal.addEventListener("abort", this.abandon, { once: true });
    this.requestsInFlight.set(pipe, (this.requestsInFlight.get(pipe) ?? 0) + requests);
    return () => {
      const left = this.requestsInFlight.get(pipe)! - requests;
      if (left > 0) this.requestsInFlight.set(pipe, left);
      else this.requestsInFlight.delete(pipe);
      if (this.requestsInFlight.size === 0) signal.removeEventListener("abort", this.abandon);
    };
  }

  /** This write's requests waiting on each pipe. */
  private readonly requestsInFlight = new Map<CommandPipe, number>();
  /**
   * Closes a pipe only when every request waiting on it is this write's: another write (or a consumer's acks)
   * sharing the connection must not fail because this one gave up. A pipe left open still fails on its own reply
   * timeout if the server never answers.
   */
  private readonly abandon = (): void => {
    for (const [pipe, requests] of this.requestsInFlight) if (pipe.inFlight <= requests) pipe.close();
  };

  /**
   * Encodes one transaction from `from` on: up to 100 keys, closed early once its commands reach about 1 MB.
   * Rows with nothing to write are marked skipped and left out. Returns where the next transaction starts.
   * The HSETs are encoded first (into `body`), since DEL, which comes before them, must name every key.
   */
  private encodeTransaction(
    units: readonly HashRow[],
    from: number,
    statuses: KeyStatus[],
    transactions: Transaction[],
  ): number {
    const { encoder, body } = this;
    const transaction: Transaction = { units: [], multiAt: 0, hsetAt: [], execAt: 0 };
    let next = from;
    while (
      next < units.length &&
      transaction.units.length < KEYS_PER_TRANSACTION &&
      body.length < TRANSACTION_BYTES
    ) {
      const index = next++;
      const unit = units[index]!;
      if (unit.isEmpty) {
        statuses[index] = "skipped";
        continue;
      }
      transaction.units.push(index);
      transaction.hsetAt.push(body.commandCount);
      unit.writeHset(body);
      if (unit.ttl > 0) {
        body.command(3);
        body.bytes(PEXPIRE);
        body.text(unit.key);
        body.text(String(unit.ttl));
      }
    }
    if (transaction.units.length === 0) return next;
    transaction.multiAt = encoder.commandCount;
    encoder.command(1);
    encoder.bytes(MULTI);
    encoder.command(1 + transaction.units.length);
    encoder.bytes(DEL);
    for (const index of transaction.units) encoder.text(units[index]!.key);
    const bodyAt = encoder.commandCount;
    for (let position = 0; position < transaction.hsetAt.length; position++)
      transaction.hsetAt[position]! += bodyAt;
    encoder.append(body);
    transaction.execAt = encoder.commandCount;
    encoder.command(1);
    encoder.bytes(EXEC);
    transactions.push(transaction);
    return next;
  }

  private settle(
    transaction: Transaction,
    replies: readonly RespValue[],
    units: readonly HashRow[],
    statuses: KeyStatus[],
  ): void {
    const { multiAt, execAt } = transaction;
    const executed = multiAt < 0 || replies[multiAt] !== "OK" ? undefined : replies[execAt];
    transaction.units.forEach((unitIndex, position) => {
      const hsetAt = transaction.hsetAt[position]!;
      const ttlAt = units[unitIndex]!.ttl > 0 ? hsetAt + 1 : -1;
      if (multiAt < 0) {
        statuses[unitIndex] = statusOf(replies[hsetAt], ttlAt < 0 ? undefined : replies[ttlAt]);
      } else if (replies[multiAt] !== "OK") {
        // MULTI refused (an ACL without +multi, say): the group's commands ran one by one, not atomically.
        // Report the refusal for every key; it is a setup problem to fix, not a transient one.
        statuses[unitIndex] = refusedMulti(replies[multiAt]);
      } else if (Array.isArray(executed)) {
        // EXEC's array holds one reply per queued command, starting with DEL's.
        const offset = multiAt + 1;
        statuses[unitIndex] = statusOf(
          executed[hsetAt - offset],
          ttlAt < 0 ? undefined : executed[ttlAt - offset],
        );
      } else {
        statuses[unitIndex] = transactionError(replies, multiAt, execAt);
      }
    });
  }
}

function refusedMulti(reply: RespValue | undefined): KeyError {
  const message =
    reply instanceof RespErrorReply
      ? reply.message
      : `ERR unexpected reply to MULTI: ${JSON.stringify(reply)}`;
  return new RedisCommandError({
    message: `${message} (MULTI was refused, so this group's DEL and HSET ran without a transaction)`,
    command: "MULTI",
  });
}

function plainGroup(): Transaction {
  return { units: [], multiAt: -1, hsetAt: [], execAt: -1 };
}

function statusOf(hset: RespValue | undefined, pexpire: RespValue | undefined): KeyStatus {
  if (hset instanceof RespErrorReply)
    return new RedisCommandError({ message: hset.message, command: "HSET" });
  if (typeof hset !== "number") return unexpected("HSET", hset);
  if (pexpire instanceof RespErrorReply)
    return new RedisCommandError({ message: pexpire.message, command: "PEXPIRE" });
  if (pexpire !== undefined && pexpire !== 1) return unexpected("PEXPIRE", pexpire);
  return "written";
}

/**
 * Why a transaction was not applied: the first command refused while queueing (OOM, say: EXEC then answers
 * EXECABORT), else EXEC's own error. Nothing of the transaction was written.
 */
function transactionError(replies: readonly RespValue[], multiAt: number, execAt: number): KeyError {
  for (let index = multiAt + 1; index < execAt; index++) {
    const reply = replies[index];
    if (reply instanceof RespErrorReply)
      return new RedisCommandError({ message: reply.message, command: "HSET" });
  }
  const exec = replies[execAt];
  if (exec instanceof RespErrorReply)
    return new RedisCommandError({ message: exec.message, command: "EXEC" });
  return unexpected("EXEC", exec);
}

function unexpected(command: string, reply: RespValue | undefined): KeyError {
  return new RedisCommandError({
    message: `ERR unexpected reply to ${command}: ${JSON.stringify(reply)?.slice(0, 200)}`,
    command,
  });
}
