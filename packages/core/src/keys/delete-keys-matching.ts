import type { RedisConnection, RedisKeyType } from "../connection/redis-connection.js";
import { throwIfAborted } from "../errors/aborted-error.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { ScanKeyBatcher } from "../scan/scan-key-batcher.js";
import { type DeleteKeysOptions, deleteCommandName } from "./delete-keys.js";
import { type DeleteResult, DeleteTally } from "./delete-result.js";
import { checkBatchSize, checkInteger, checkKeyCall, type KeyCommandOptions } from "./key-options.js";

export interface DeleteKeysMatchingOptions extends KeyCommandOptions {
  /** Only keys of this type (SCAN ... TYPE): `deleteKeysMatching(conn, "user:*", { type: "hash" })`. */
  type?: RedisKeyType | undefined;
  /** Count the matching keys and list the first `sampleSize` of them, deleting nothing. [false] */
  dryRun?: boolean | undefined;
  /** How many matching keys a dry run lists in `sampleKeys`. [100] */
  sampleSize?: number | undefined;
  /** The COUNT hint of each SCAN call. [batchSize] */
  countHint?: number | undefined;
  /** See deleteKeys. ["unlink"] */
  method?: DeleteKeysOptions["method"] | undefined;
  /** At most this many per-key errors are kept in `errors` (all are counted in `failed`). [1000] */
  maxErrors?: number | undefined;
  /** Called after each deleted batch with the running totals. */
  onProgress?: ((progress: { matched: number; deleted: number }) => void) | undefined;
}

export interface DeleteMatchingResult extends DeleteResult {
  /** Keys SCAN returned for the pattern (and type); SCAN may return a key twice, the second time it counts as not found. */
  readonly matched: number;
  readonly dryRun: boolean;
  /** In a dry run, the first `sampleSize` matching keys; otherwise empty. */
  readonly sampleKeys: readonly string[];
}

/**
 * Deletes every key matching a SCAN pattern, streaming: keys are deleted batch by batch as SCAN finds them, so
 * memory holds about two batches (the one being deleted and the next one SCAN is filling) whatever the number
 * of keys. Deleting keys that SCAN already returned does not make SCAN skip others (SCAN's guarantee covers
 * keys present for the whole iteration).
 */
export async function deleteKeysMatching(
  conn: RedisConnection,
  pattern: string,
  options: DeleteKeysMatchingOptions = {},
): Promise<DeleteMatchingResult> {
  checkKeyCall("deleteKeysMatching", conn, options);
  if (typeof pattern !== "string" || pattern.length === 0) {
    throw new InvalidArgumentError("pattern", 'expected a non-empty SCAN pattern such as "session:*"');
  }
  const batchSize = checkBatchSize(options.batchSize);
  const command = deleteCommandName(options.method);
  const sampleSize = checkInteger("sampleSize", options.sampleSize, 100, 0);
  const maxErrors = checkInteger("maxErrors", options.maxErrors, 1000, 0);
  const countHint = checkInteger("countHint", options.countHint, batchSize, 1);
  const dryRun = options.dryRun ?? false;

  const tally = new DeleteTally(maxErrors);
  const sampleKeys: string[] = [];
  let matched = 0;
  throwIfAborted(options.signal);
  const keys = new ScanKeyBatcher(
    conn,
    { kind: "scan", pattern, type: options.type, countHint },
    {
      batchSize,
      signal: options.signal ?? new AbortController().signal,
      onKeys: (count) => (matched += count),
    },
  );
  try {
    for await (const batch of keys.batches()) {
      throwIfAborted(options.signal);
      if (dryRun) {
        for (const key of batch) if (sampleKeys.length < sampleSize) sampleKeys.push(key);
        continue;
      }
      const replies = await conn.batch(
        batch.map((key) => [command, key] as const),
        { signal: options.signal },
      );
      for (let index = 0; index < batch.length; index++) tally.count(batch[index]!, replies[index]!);
      options.onProgress?.({ matched, deleted: tally.deleted });
    }
  } finally {
    keys.close();
  }

  return Object.assign(tally, { matched, dryRun, sampleKeys });
}
