import { InvalidArgumentError } from "@polars-redis/core";

/** A stream entry id split into its two 64-bit halves. */
export interface StreamIdParts {
  ms: bigint;
  seq: bigint;
}

const ID_PATTERN = /^(\d{1,20})(?:-(\d{1,20}))?$/;
const MAX_U64 = (1n << 64n) - 1n;

/** True for a complete `<ms>-<seq>` id (or a bare `<ms>`), as Redis accepts them. */
export function isStreamId(text: string): boolean {
  const match = ID_PATTERN.exec(text);
  return (
    match !== null && BigInt(match[1]!) <= MAX_U64 && (match[2] === undefined || BigInt(match[2]) <= MAX_U64)
  );
}

export function parseStreamId(text: string): StreamIdParts {
  const match = ID_PATTERN.exec(text);
  if (match === null) throw new InvalidArgumentError("id", `${JSON.stringify(text)} is not a stream id`);
  return { ms: BigInt(match[1]!), seq: match[2] === undefined ? 0n : BigInt(match[2]) };
}

/** Orders two stream ids the way Redis does: by milliseconds, then by sequence. */
export function compareStreamIds(a: string, b: string): number {
  if (a === b) return 0;
  const left = parseStreamId(a);
  const right = parseStreamId(b);
  if (left.ms !== right.ms) return left.ms < right.ms ? -1 : 1;
  if (left.seq !== right.seq) return left.seq < right.seq ? -1 : 1;
  return 0;
}

/** The smallest id strictly after `id` (for readers that pass an inclusive start). */
export function nextStreamId(id: string): string {
  const { ms, seq } = parseStreamId(id);
  if (seq < MAX_U64) return `${ms}-${seq + 1n}`;
  if (ms < MAX_U64) return `${ms + 1n}-0`;
  throw new InvalidArgumentError("id", `${id} is the largest possible stream id`);
}
