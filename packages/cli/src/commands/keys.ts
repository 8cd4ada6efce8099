import type { RedisConnection, RedisKeyType } from "@polars-redis/core";
import { usageError } from "../cli-error.js";
import type { CommandContext, CommandSpec, OptionSpec } from "../command.js";
import { ExitCode } from "../exit-codes.js";
import { parseKeyType } from "../key-types.js";
import { renderPairs, renderRows } from "../output/text-table.js";
import { parseInteger, plural } from "../values.js";

const TYPE_OPTION: Record<string, OptionSpec> = {
  type: {
    type: "string",
    value: "TYPE",
    help: "only keys of this type (hash, json, string, set, list, zset, stream, timeseries)",
  },
  "count-hint": { type: "string", value: "N", help: "COUNT hint of each SCAN call [1000]" },
};

export const keysCountCommand: CommandSpec = {
  name: "keys count",
  summary: "Count the keys matching a pattern (every master of a cluster)",
  synopsis: "<pattern> [options]",
  options: TYPE_OPTION,
  examples: [
    `polars-redis keys count "session:*"`,
    `polars-redis keys count "user:*" --type hash --json | jq .count`,
  ],
  connects: true,
  json: true,
  positionals: { min: 1, max: 1 },
  async run(context) {
    const pattern = context.positionals[0]!;
    const type = parseKeyType(context.values.type);
    const connection = await context.connection();
    let count = 0;
    for await (const batch of scanKeys(connection, context, pattern, type)) {
      count += batch.length;
      context.progress.update({ label: "keys count", done: count, unit: "keys" });
    }
    context.progress.finish();
    if (context.values.json === true) await context.out.json({ pattern, type: type ?? null, count });
    else await context.out.line(String(count));
    return ExitCode.OK;
  },
};

/** TTL buckets of `keys ttl`, upper bounds in seconds. */
const BUCKETS: readonly [string, number][] = [
  ["< 1 min", 60],
  ["< 1 h", 3600],
  ["< 1 day", 86_400],
  ["< 7 days", 7 * 86_400],
  [">= 7 days", Number.POSITIVE_INFINITY],
];

export const keysTtlCommand: CommandSpec = {
  name: "keys ttl",
  summary: "How long the keys matching a pattern have left to live: counts by bucket, soonest to expire",
  synopsis: "<pattern> [options]",
  options: {
    ...TYPE_OPTION,
    show: { type: "string", value: "N", help: "list the N keys that expire soonest [5]" },
  },
  examples: [`polars-redis keys ttl "session:*"`, `polars-redis keys ttl "cache:*" --json | jq .noExpiry`],
  connects: true,
  json: true,
  positionals: { min: 1, max: 1 },
  async run(context) {
    const pattern = context.positionals[0]!;
    const type = parseKeyType(context.values.type);
    const show = parseInteger(context.values.show, "--show", { min: 0 }) ?? 5;
    const connection = await context.connection();
    let keys = 0;
    let noExpiry = 0;
    let gone = 0;
    let min: number | undefined;
    let max: number | undefined;
    let sum = 0;
    const buckets = BUCKETS.map(() => 0);
    const soonest: { key: string; ttl: number }[] = [];
    const { ttlKeys } = await import("@polars-redis/core");
    for await (const batch of scanKeys(connection, context, pattern, type)) {
      const frame = await ttlKeys(connection, batch, { signal: context.signal });
      const names = frame.getColumn("key").toArray() as string[];
      const ttls = frame.getColumn("ttl").toArray() as number[];
      for (let index = 0; index < names.length; index++) {
        const ttl = ttls[index]!;
        if (ttl === -2) {
          gone++; // expired or deleted between SCAN and TTL
          continue;
        }
        keys++;
        if (ttl === -1) {
          noExpiry++;
          continue;
        }
        min = min === undefined ? ttl : Math.min(min, ttl);
        max = max === undefined ? ttl : Math.max(max, ttl);
        sum += ttl;
        buckets[BUCKETS.findIndex(([, bound]) => ttl < bound)]!++;
        if (show > 0 && (soonest.length < show || ttl < soonest[soonest.length - 1]!.ttl)) {
          soonest.push({ key: names[index]!, ttl });
          soonest.sort((a, b) => a.ttl - b.ttl);
          if (soonest.length > show) soonest.pop();
        }
      }
      context.progress.update({ label: "keys ttl", done: keys, unit: "keys" });
    }
    context.progress.finish();
    const expiring = keys - noExpiry;
    const summary = {
      pattern,
      type: type ?? null,
      keys,
      noExpiry,
      expiring,
      vanished: gone,
      ttlSeconds: expiring === 0 ? null : { min, max, mean: Math.round(sum / expiring) },
      buckets: Object.fromEntries(BUCKETS.map(([label], index) => [label, buckets[index]])),
      soonest,
    };
    if (context.values.json === true) {
      await context.out.json(summary);
      return ExitCode.OK;
    }
    await context.out.write(
      renderPairs([
        ["keys", String(keys)],
        ["no expiry", String(noExpiry)],
        ["expiring", String(expiring)],
        [
          "ttl min/mean/max",
          expiring === 0
            ? "-"
            : `${duration(min!)} / ${duration(summary.ttlSeconds!.mean)} / ${duration(max!)}`,
        ],
        ...BUCKETS.map(([label], index) => [`  ${label}`, String(buckets[index])] as [string, string]),
      ]),
    );
    if (soonest.length > 0) {
      await context.out.line();
      await context.out.write(
        renderRows(
          ["expires in", "key"],
          soonest.map(({ key, ttl }) => [duration(ttl), key]),
        ),
      );
    }
    return ExitCode.OK;
  },
};

export const keysDeleteCommand: CommandSpec = {
  name: "keys delete",
  summary: "Delete the keys matching a pattern (UNLINK, batch by batch); --dry-run to preview",
  synopsis: "<pattern> (--dry-run | --yes) [options]",
  description: `Deleting needs --yes; --dry-run counts the matching keys and lists a sample instead, deleting
nothing. Keys are deleted as SCAN finds them, so memory stays small whatever the number of keys.`,
  options: {
    ...TYPE_OPTION,
    "dry-run": { type: "boolean", help: "count and list a sample of the matching keys; delete nothing" },
    yes: { type: "boolean", short: "y", help: "really delete (required unless --dry-run)" },
    sample: { type: "string", value: "N", help: "keys a dry run lists [10]" },
  },
  examples: [
    `polars-redis keys delete "tmp:*" --dry-run`,
    `polars-redis keys delete "tmp:*" --type string --yes`,
    `polars-redis keys delete "session:*" --yes --json | jq .deleted`,
  ],
  connects: true,
  json: true,
  positionals: { min: 1, max: 1 },
  async run(context) {
    const pattern = context.positionals[0]!;
    const type = parseKeyType(context.values.type);
    const dryRun = context.values["dry-run"] === true;
    if (!dryRun && context.values.yes !== true) {
      throw usageError(
        `refusing to delete keys matching ${JSON.stringify(pattern)} without --yes`,
        "preview with --dry-run",
      );
    }
    const sampleSize = parseInteger(context.values.sample, "--sample", { min: 0 }) ?? 10;
    const countHint = parseInteger(context.values["count-hint"], "--count-hint", { min: 1 });
    const connection = await context.connection();
    const { deleteKeysMatching } = await import("@polars-redis/core");
    const result = await deleteKeysMatching(connection, pattern, {
      dryRun,
      sampleSize,
      signal: context.signal,
      ...(type === undefined ? {} : { type }),
      ...(countHint === undefined ? {} : { countHint }),
      onProgress: ({ matched, deleted }) =>
        context.progress.update({
          label: "keys delete",
          done: deleted,
          unit: "deleted",
          extra: `${matched} matched`,
        }),
    });
    context.progress.finish();
    const errors = [...result.errors].map(([key, error]) => ({ key, message: error.message }));
    if (context.values.json === true) {
      await context.out.json({
        pattern,
        type: type ?? null,
        dryRun,
        matched: result.matched,
        deleted: result.deleted,
        notFound: result.notFound,
        failed: result.failed,
        sampleKeys: result.sampleKeys,
        errors,
      });
    } else if (dryRun) {
      await context.out.line(
        `dry run: ${plural(result.matched, "key")} match ${JSON.stringify(pattern)}; nothing deleted`,
      );
      for (const key of result.sampleKeys) await context.out.line(`  ${key}`);
    } else {
      await context.out.line(
        `${plural(result.deleted, "key")} deleted, ${result.notFound} already gone, ${result.failed} failed (${result.matched} matched)`,
      );
      for (const { key, message } of errors.slice(0, 10)) await context.out.line(`  ${key}: ${message}`);
    }
    return result.isCompleteSuccess() ? ExitCode.OK : ExitCode.PARTIAL;
  },
};

function scanKeys(
  connection: RedisConnection,
  context: CommandContext,
  pattern: string,
  type: RedisKeyType | undefined,
): AsyncIterable<string[]> {
  const count = parseInteger(context.values["count-hint"], "--count-hint", { min: 1 }) ?? 1000;
  return connection.scanKeys({
    pattern,
    count,
    signal: context.signal,
    ...(type === undefined ? {} : { type }),
  });
}

/** 93784 → "1d 2h 3m 4s". */
function duration(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`);
  return parts.join(" ");
}
