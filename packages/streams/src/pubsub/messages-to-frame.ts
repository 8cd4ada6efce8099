import { SchemaMismatchError } from "@polars-redis/core";
import { streamEntriesToFrame } from "@polars-redis/core/internal";
import pl, { type DataFrame, type Series } from "nodejs-polars";
import type { PubSubMessage } from "./message-buffer.js";
import type { ResolvedPubSubOptions } from "./pubsub-options.js";

export interface MessagesFrame {
  frame: DataFrame;
  /** Payloads that were not JSON objects (or failed `parse`), kept as null rows with onError "null". */
  malformed: number;
  /** Values that did not fit their dtype and became null. */
  nulled: number;
}

/**
 * Messages → one DataFrame: metadata columns (`_channel`, `_pattern`, `_received_at`), then the payload as
 * text, or its JSON fields typed with core's column builders (the same parsing rules as every scan).
 */
export function messagesToFrame(
  messages: readonly PubSubMessage[],
  options: ResolvedPubSubOptions,
): MessagesFrame {
  let malformed = 0;
  const entries = messages.map((message, row) => {
    const fields = payloadFields(message, options);
    if (fields !== undefined) return [String(row), fields] as const;
    malformed++;
    if (options.onError === "raise") {
      throw new SchemaMismatchError({
        key: message.channel,
        field: options.messageColumn,
        rawValue: message.payload.toString("utf8"),
        expected: options.parse === undefined ? "a JSON object" : "a row from parse()",
      });
    }
    return [String(row), []] as const;
  });
  const defaultColumns =
    options.schema === undefined && options.format === "raw" && options.parse === undefined;
  const { frame, coercedToNull } = streamEntriesToFrame(entries, {
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(defaultColumns ? { columns: [options.messageColumn] } : {}),
    onError: options.onError,
    includeId: false,
    includeTimestamp: false,
    stream: "pubsub",
  });
  const metadata: Series[] = [];
  if (options.channelColumn !== undefined) {
    metadata.push(
      pl.Series(
        options.channelColumn,
        messages.map((m) => m.channel),
        pl.Utf8,
      ),
    );
  }
  if (options.patternColumn !== undefined) {
    metadata.push(
      pl.Series(
        options.patternColumn,
        messages.map((m) => m.pattern ?? null),
        pl.Utf8,
      ),
    );
  }
  if (options.timestampColumn !== undefined) {
    const millis = Float64Array.from(messages, (m) => m.receivedAt);
    metadata.push(pl.Series(options.timestampColumn, millis).cast(pl.Int64).cast(pl.Datetime("ms")));
  }
  let nulled = 0;
  for (const count of Object.values(coercedToNull)) nulled += count;
  return { frame: pl.DataFrame([...metadata, ...frame.getColumns()]), malformed, nulled };
}

/** The payload as `[field, text, ...]`, or undefined when it cannot be decoded. */
function payloadFields(message: PubSubMessage, options: ResolvedPubSubOptions): string[] | undefined {
  if (options.parse !== undefined) {
    let row: Record<string, unknown>;
    try {
      row = options.parse(message.channel, message.payload);
    } catch {
      return undefined;
    }
    return row !== null && typeof row === "object" ? flatten(row) : undefined;
  }
  const text = message.payload.toString("utf8");
  if (options.format === "raw") return [options.messageColumn, text];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  return flatten(value as Record<string, unknown>);
}

/** Object fields as texts the column builders parse; nested values as JSON text; nulls left out (null cells). */
function flatten(row: Record<string, unknown>): string[] {
  const fields: string[] = [];
  for (const [name, value] of Object.entries(row)) {
    if (value === null || value === undefined) continue;
    fields.push(name, typeof value === "object" ? JSON.stringify(value) : String(value));
  }
  return fields;
}
