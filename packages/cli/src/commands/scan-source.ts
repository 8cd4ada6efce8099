import {
  type DtypeInput,
  inferHashSchema,
  inferJsonSchema,
  type RedisConnection,
  type ScanIterable,
  type ScanOptions,
  type ScanProgress,
  scanHashes,
  scanJson,
  scanLists,
  scanSets,
  scanStreams,
  scanStrings,
  scanTimeseries,
  scanZsets,
} from "@polars-redis/core";
import type { DataType } from "../key-types.js";
import type { Output } from "../output/output.js";

/** What the scan command asks of core, common to every type. */
export interface ScanRequest {
  readonly type: DataType;
  readonly pattern: string;
  /** Field → dtype for hash, json and stream scans; "auto" infers it (hash, json). */
  readonly schema: "auto" | [string, DtypeInput][] | undefined;
  /** Projection pushed into core (hash, json, stream, timeseries). */
  readonly columns: string[] | undefined;
  /** The value/member/element dtype of string, set, list and zset scans. */
  readonly dtype: string | undefined;
  readonly limit: number | undefined;
  readonly includeTtl: boolean;
  readonly batchSize: number | undefined;
  readonly onError: "raise" | "null" | undefined;
  readonly start: string | undefined;
  readonly end: string | undefined;
  readonly labels: string[] | undefined;
  readonly sampleSize: number | undefined;
  readonly signal: AbortSignal;
  readonly onProgress: (progress: ScanProgress) => void;
}

/**
 * Infers the schema of a hash or JSON key space (when asked, or by default) and says so on stderr. Returns
 * undefined when no key was sampled: the key space is missing.
 */
export async function resolveScanSchema(
  connection: RedisConnection,
  request: ScanRequest,
  out: Output,
): Promise<[string, DtypeInput][] | undefined | "empty"> {
  const { schema, type } = request;
  if (schema !== "auto") return schema;
  if (type !== "hash" && type !== "json") return undefined; // streams: every field as Utf8 (core's default)
  const infer = type === "hash" ? inferHashSchema : inferJsonSchema;
  const inferred = await infer(connection, {
    pattern: request.pattern,
    sampleSize: request.sampleSize ?? 100,
    signal: request.signal,
  });
  if (inferred.sampleCount === 0) return "empty";
  const low = inferred.lowConfidenceFields(0.5);
  out.note(
    `schema inferred from ${inferred.sampleCount} keys: ${Object.entries(inferred.fields)
      .map(([name, field]) => `${name} ${field.type}`)
      .join(
        ", ",
      )}${low.length > 0 ? ` (low confidence: ${low.map((field) => field.field).join(", ")}; see polars-redis infer)` : ""}`,
  );
  return Object.entries(inferred.schema);
}

/** The core scan for the request's type. */
export function openScan(
  connection: RedisConnection,
  request: ScanRequest,
  schema: [string, DtypeInput][] | undefined,
): ScanIterable {
  const common: ScanOptions = {
    pattern: request.pattern,
    includeTtl: request.includeTtl,
    signal: request.signal,
    onProgress: request.onProgress,
    ...(request.limit === undefined ? {} : { limit: request.limit }),
    ...(request.batchSize === undefined ? {} : { batchSize: request.batchSize }),
    ...(request.onError === undefined ? {} : { onError: request.onError }),
  };
  const columns = request.columns === undefined ? {} : { columns: request.columns };
  const withSchema = schema === undefined ? {} : { schema };
  const range = {
    ...(request.start === undefined ? {} : { start: request.start }),
    ...(request.end === undefined ? {} : { end: request.end }),
  };
  switch (request.type) {
    case "hash":
      return scanHashes(connection, { ...common, ...withSchema, ...columns });
    case "json":
      return scanJson(connection, { ...common, ...withSchema, ...columns });
    case "stream":
      return scanStreams(connection, { ...common, ...withSchema, ...columns, ...range });
    case "timeseries":
      return scanTimeseries(connection, {
        ...common,
        ...columns,
        ...(request.start === undefined ? {} : { start: timeBound(request.start) }),
        ...(request.end === undefined ? {} : { end: timeBound(request.end) }),
        ...(request.labels === undefined ? {} : { labels: request.labels }),
      });
    case "string":
      return scanStrings(connection, { ...common, ...dtypeOption("valueType", request.dtype) });
    case "set":
      return scanSets(connection, { ...common, ...dtypeOption("memberType", request.dtype) });
    case "list":
      return scanLists(connection, { ...common, ...dtypeOption("elementType", request.dtype) });
    case "zset":
      return scanZsets(connection, { ...common, ...dtypeOption("memberType", request.dtype) });
  }
}

function dtypeOption(name: string, dtype: string | undefined): Record<string, string> {
  return dtype === undefined ? {} : { [name]: dtype };
}

/** "-", "+" or epoch milliseconds (an ISO date is accepted too). */
function timeBound(text: string): "-" | "+" | number {
  if (text === "-" || text === "+") return text;
  if (/^\d+$/.test(text)) return Number(text);
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? (text as never) : parsed;
}
