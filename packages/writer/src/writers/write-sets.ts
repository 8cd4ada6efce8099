import type { RedisConnection, WriteResult } from "@polars-redis/core";
import type { DataFrame } from "nodejs-polars";
import { formatColumn } from "../frame/format-column.js";
import { requireColumn } from "../frame/require-column.js";
import { checkWriteCall, resolveWriteOptions } from "../options/resolve-write-options.js";
import type { WriteOptions } from "../options/write-options.js";
import { writeCollection } from "./write-collections.js";

export interface WriteSetsOptions extends WriteOptions {
  /** The column holding one member per row. ["member"] */
  memberColumn?: string | undefined;
}

/**
 * Writes sets: one member per row, rows grouped by key (SADD). Null members are left out; a key whose members
 * are all null is reported as skipped. "replace" (default) makes each set exactly the members given, atomically;
 * "append" adds them; "fail" skips existing keys. Every mode is idempotent, so retries are always safe.
 */
export async function writeSets(
  connection: RedisConnection,
  frame: DataFrame,
  options: WriteSetsOptions = {},
): Promise<WriteResult> {
  checkWriteCall("writeSets", connection, frame, options);
  const settings = resolveWriteOptions(options, { ifExists: "replace" });
  const members = formatColumn(
    requireColumn(frame, options.memberColumn ?? "member", "memberColumn"),
    "memberColumn",
  );
  return writeCollection(connection, frame, options, settings, {
    command: "SADD",
    width: 1,
    itemOf: (row, into) => {
      const member = members[row];
      if (member != null) into.push(member);
    },
    description: `SADD (sets, ${settings.ifExists})`,
    idempotent: true,
  });
}
