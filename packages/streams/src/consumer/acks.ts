import {
  type BatchReply,
  type Command,
  PolarsRedisError,
  RedisCommandError,
  type RedisConnection,
} from "@polars-redis/core";
import {
  commandPipeFor,
  encodeCommands,
  RespErrorReply,
  sleep,
  takesRawPath,
} from "@polars-redis/core/internal";
import type { ResolvedConsumerOptions } from "./consumer-options.js";
import type { EntryBook, EntryRef } from "./entry-book.js";

const ACK_ATTEMPTS = 8;
const IDS_PER_COMMAND = 1000;

/**
 * Acknowledges entries (XACK), retrying transient failures (each retry counts in `stats.retries`). Entries
 * whose ack fails for good are no longer in flight (they will be delivered again) and reported with an
 * `ack-failed` event; `onFailed` then asks for a new walk of the pending list.
 */
export async function acknowledge(
  conn: RedisConnection,
  options: ResolvedConsumerOptions,
  book: EntryBook,
  entries: readonly EntryRef[],
  onFailed: () => void,
): Promise<number> {
  if (entries.length === 0) return 0;
  let remaining = commandsPerStream(entries, (stream, ids) => ["XACK", stream, options.group, ...ids]);
  let acked = 0;
  for (let attempt = 1; remaining.length > 0; attempt++) {
    const replies: (BatchReply | PolarsRedisError)[] = await sendAcks(
      conn,
      remaining.map(([command]) => command),
    ).catch((error: unknown) => remaining.map(() => toError(error)));
    const failed: typeof remaining = [];
    replies.forEach((reply, index) => {
      const [command, stream, ids] = remaining[index]!;
      if (!(reply instanceof Error)) {
        acked += ids.length;
        for (const id of ids) book.forget(stream, id);
        return;
      }
      if (reply.retryable && attempt < ACK_ATTEMPTS) {
        failed.push([command, stream, ids]);
        return;
      }
      book.emit({ type: "ack-failed", stream, ids, error: reply });
      for (const id of ids) book.inFlight.delete(stream, id);
      onFailed();
    });
    remaining = failed;
    if (remaining.length > 0) {
      book.stats.retries++;
      await sleep(options.retryBackoff(attempt));
    }
  }
  book.stats.acked += acked;
  book.stats.inFlight = book.inFlight.size;
  return acked;
}

/**
 * Sends XACK commands: pre-encoded over the connection's shared raw pipe where it has one (encoding a thousand
 * ids per command through ioredis costs more than the rest of routing them), else through `batch`.
 */
async function sendAcks(conn: RedisConnection, commands: readonly Command[]): Promise<BatchReply[]> {
  if (!takesRawPath(conn, "any")) return conn.batch(commands);
  const pipe = await commandPipeFor(conn);
  const replies = await pipe.send(
    encodeCommands(commands as readonly (readonly string[])[]),
    commands.length,
    "XACK",
  );
  return replies.map((reply) =>
    reply instanceof RespErrorReply
      ? new RedisCommandError({ message: reply.message, command: "XACK" })
      : (reply as BatchReply),
  );
}

/** One command per stream and chunk of ids, remembering which ids each command carries. */
export function commandsPerStream(
  entries: readonly EntryRef[],
  build: (stream: string, ids: string[]) => Command,
): [Command, string, string[]][] {
  const byStream = new Map<string, string[]>();
  for (const { stream, id } of entries) {
    const ids = byStream.get(stream) ?? [];
    ids.push(id);
    byStream.set(stream, ids);
  }
  const commands: [Command, string, string[]][] = [];
  for (const [stream, ids] of byStream) {
    for (let start = 0; start < ids.length; start += IDS_PER_COMMAND) {
      const chunk = ids.slice(start, start + IDS_PER_COMMAND);
      commands.push([build(stream, chunk), stream, chunk]);
    }
  }
  return commands;
}

function toError(error: unknown): PolarsRedisError {
  if (PolarsRedisError.isInstance(error)) return error;
  return new PolarsRedisError({ code: "CONNECTION", message: String(error), retryable: true, cause: error });
}
