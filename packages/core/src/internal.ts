/**
 * @polars-redis/core/internal: the pieces the other @polars-redis packages share and users do not need: the
 * RESP transport (encoder, reply reader, request pipe with deadlines, raw channels, the raw-path check),
 * byte columns to Arrow, the raw hash read, and helpers of the engine. No stability promise: these change
 * with the packages that use them, which are released together.
 */
export { type ArrowColumn, arrowColumnsToFrame } from "./arrow/arrow-frame.js";
export { ByteColumn } from "./arrow/byte-column.js";
export { byteColumnToArrow, type InvalidValueHandler } from "./arrow/byte-column-to-arrow.js";
export { anchorShape } from "./arrow/shape-anchors.js";
export { decodeKeys, nonUtf8KeyHandler } from "./connection/ioredis-connection.js";
export { withLegacyReplies } from "./connection/legacy-replies.js";
export { type ParsedRedisUrl, parseRedisUrl, redact } from "./connection/parse-redis-url.js";
export { replyAt } from "./connection/reply-at.js";
export { throwIfAborted } from "./errors/aborted-error.js";
export { moduleNotLoadedFrom, moduleOfCommand, requireModule } from "./errors/module-not-loaded-error.js";
export type { PolarsRedisErrorOptions } from "./errors/polars-redis-error.js";
export { isRetryableRedisCode, redisCodeOf } from "./errors/redis-command-error.js";
export * from "./resp/index.js";
export { backoffDelay } from "./retry/backoff.js";
export { type ResolvedRetryPolicy, resolveRetryPolicy } from "./retry/retry-policy.js";
export { sleep } from "./retry/sleep.js";
export type { ColumnBuilder, RawValue } from "./scan/columns/column-builder.js";
export type { ColumnData } from "./scan/columns/column-data.js";
export { HashCommandEncoder } from "./scan/hashes/raw/hash-command-encoder.js";
export { HashReplyDecoder, type ReplyError } from "./scan/hashes/raw/hash-reply-decoder.js";
export { type KeyPage, toKeyPage } from "./scan/hashes/raw/key-page.js";
export {
  emptyFastHashReport,
  type FastHashField,
  type FastHashReadOptions,
  type FastHashReport,
  fieldColumnsToArrow,
  readHashFrames,
} from "./scan/hashes/raw/read-hash-frames.js";
export { keySlot } from "./scan/key-slot.js";
export { raceAbort } from "./scan/race-abort.js";
export { STREAM_LAYOUT_OPTION_NAMES } from "./scan/streams/stream-column-layout.js";
export {
  type StreamEntriesOptions,
  type StreamEntry,
  streamEntriesToFrame,
} from "./scan/streams/stream-entries-to-frame.js";
export { dtypeLabel, isDtypeName, resolveDtype, toPolarsDtype } from "./schema/dtype.js";
export { isIntegerDtype, isNumericDtype } from "./schema/dtype-kind.js";
export { parseBoolean } from "./schema/parse/parse-boolean.js";
export { type ParseDateOptions, parseDate } from "./schema/parse/parse-date.js";
export {
  type Instant,
  instantToUnit,
  type ParseDatetimeOptions,
  parseDatetime,
  parseInstant,
} from "./schema/parse/parse-datetime.js";
export { parseFloat64 } from "./schema/parse/parse-float.js";
export { parseInt32, parseInt64 } from "./schema/parse/parse-integer.js";
export { resolveSchema } from "./schema/schema.js";
export { LuaScript } from "./scripts/lua-script.js";
export * from "./validation/index.js";
