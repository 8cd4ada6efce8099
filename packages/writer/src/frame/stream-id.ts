import { InvalidArgumentError } from "@polars-redis/core";

const STREAM_ID = /^(\d{1,20})-(\d{1,20})$/;

/** A stream entry id "ms-seq" as two bigints, or undefined when the text is not one. */
export function parseStreamId(text: string): [bigint, bigint] | undefined {
  const match = STREAM_ID.exec(text);
  if (match === null) return undefined;
  const ms = BigInt(match[1]!);
  const seq = BigInt(match[2]!);
  if (ms > 0xffffffffffffffffn || seq > 0xffffffffffffffffn) return undefined;
  return [ms, seq];
}

export function isStreamId(text: unknown): text is string {
  return typeof text === "string" && parseStreamId(text) !== undefined;
}

export function compareStreamIds(a: [bigint, bigint], b: [bigint, bigint]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return 0;
}

/** Parses every id of a column; a null, malformed or 0-0 id is an InvalidArgumentError naming the row. */
export function parseStreamIds(ids: readonly (string | null)[], option: string): [bigint, bigint][] {
  return ids.map((text, row) => {
    const parsed = text == null ? undefined : parseStreamId(text);
    if (parsed === undefined || (parsed[0] === 0n && parsed[1] === 0n)) {
      throw new InvalidArgumentError(
        option,
        `row ${row}: ${JSON.stringify(text)} is not a stream entry id "<ms>-<seq>" greater than 0-0`,
      );
    }
    return parsed;
  });
}
