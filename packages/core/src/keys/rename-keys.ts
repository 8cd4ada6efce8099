import pl from "nodejs-polars";
import { isCommandError } from "../connection/is-command-error.js";
import type { RedisConnection } from "../connection/redis-connection.js";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { checkBatchSize, checkKeyCall, type KeyCommandOptions } from "./key-options.js";
import { type KeyUpdateResult, KeyUpdateTally } from "./key-update-result.js";
import { sendPerKey } from "./send-per-key.js";

/** Old name → new name, as a Map, a plain object, a list of pairs, or a DataFrame with two key columns. */
export type RenameMapping =
  | ReadonlyMap<string, string>
  | Readonly<Record<string, string>>
  | readonly (readonly [from: string, to: string])[]
  | pl.DataFrame;

export interface RenameKeysOptions extends KeyCommandOptions {
  /**
   * Replace a key that already has the new name (RENAME). By default such a rename is skipped (RENAMENX), so
   * no data is destroyed by accident. [false]
   */
  overwrite?: boolean | undefined;
  /** With a DataFrame mapping: the column of old names. Required then. */
  fromColumn?: string | undefined;
  /** With a DataFrame mapping: the column of new names. Required then. */
  toColumn?: string | undefined;
}

/** Errors and skipped keys are listed by their old name. */
export interface RenameResult extends KeyUpdateResult {
  /** Old names that did not exist. */
  readonly notFound: number;
  readonly notFoundKeys: readonly string[];
}

class RenameTally extends KeyUpdateTally implements RenameResult {
  notFound = 0;
  readonly notFoundKeys: string[] = [];
}

/**
 * Renames keys, pipelined. The mapping is checked before anything is sent: it must not be empty, and no name
 * may appear twice or as both an old and a new name (chains and swaps would depend on the order of execution).
 * In the result, `skipped` keys kept their name because the new name was taken (without `overwrite`).
 *
 * On Redis Cluster both names must hash to the same slot (use a hash tag such as `{user:1}:profile`); a rename
 * across slots fails for that key with CROSSSLOT and the others go ahead.
 */
export async function renameKeys(
  conn: RedisConnection,
  mapping: RenameMapping,
  options: RenameKeysOptions = {},
): Promise<RenameResult> {
  checkKeyCall("renameKeys", conn, options);
  const { from, to } = resolveMapping(mapping, options);
  const command = options.overwrite === true ? "RENAME" : "RENAMENX";
  const tally = new RenameTally();
  await sendPerKey(
    conn,
    from,
    (key, index) => [[command, key, to[index]!]],
    (chunk, replies) => {
      for (let index = 0; index < chunk.length; index++) {
        const key = chunk[index]!;
        const reply = replies[index]!;
        if (isCommandError(reply)) {
          if (/no such key/i.test(reply.message)) {
            tally.notFound++;
            tally.notFoundKeys.push(key);
          } else {
            tally.fail(key, reply);
          }
        } else if (reply === "OK" || reply === 1) {
          tally.succeed();
        } else {
          tally.skip(key);
        }
      }
    },
    { batchSize: checkBatchSize(options.batchSize), signal: options.signal },
  );
  return tally;
}

function resolveMapping(
  mapping: RenameMapping,
  options: RenameKeysOptions,
): { from: string[]; to: string[] } {
  const from: unknown[] = [];
  const to: unknown[] = [];
  if (pl.DataFrame.isDataFrame(mapping)) {
    for (const [option, column] of [
      ["fromColumn", options.fromColumn],
      ["toColumn", options.toColumn],
    ] as const) {
      if (column === undefined || !mapping.columns.includes(column)) {
        throw new InvalidArgumentError(
          option,
          `name the frame's column of ${option === "fromColumn" ? "old" : "new"} key names; its columns are ${JSON.stringify(mapping.columns)}`,
        );
      }
    }
    from.push(...mapping.getColumn(options.fromColumn!).toArray());
    to.push(...mapping.getColumn(options.toColumn!).toArray());
  } else if (mapping instanceof Map) {
    for (const [oldName, newName] of mapping) {
      from.push(oldName);
      to.push(newName);
    }
  } else if (Array.isArray(mapping)) {
    for (const pair of mapping as readonly unknown[]) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new InvalidArgumentError("mapping", "expected [oldName, newName] pairs");
      }
      from.push(pair[0]);
      to.push(pair[1]);
    }
  } else if (mapping !== null && typeof mapping === "object") {
    for (const [oldName, newName] of Object.entries(mapping)) {
      from.push(oldName);
      to.push(newName);
    }
  } else {
    throw new InvalidArgumentError("mapping", "expected a Map, an object, [old, new] pairs or a DataFrame");
  }
  if (from.length === 0) throw new InvalidArgumentError("mapping", "is empty: there is nothing to rename");

  const seen = new Set<string>();
  for (const name of [...from, ...to]) {
    if (typeof name !== "string") {
      throw new InvalidArgumentError(
        "mapping",
        `every key name must be a string, got ${name === null ? "null" : typeof name}`,
      );
    }
    if (seen.has(name)) {
      throw new InvalidArgumentError(
        "mapping",
        `${JSON.stringify(name)} appears more than once (as an old or new name); chains, swaps and merges are not allowed`,
      );
    }
    seen.add(name);
  }
  return { from: from as string[], to: to as string[] };
}
