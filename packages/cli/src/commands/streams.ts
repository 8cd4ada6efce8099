import type { Command, RedisConnection, RedisReply } from "@polars-redis/core";
import { notFound, usageError } from "../cli-error.js";
import type { CommandSpec, OptionSpec } from "../command.js";
import { ExitCode } from "../exit-codes.js";
import { renderPairs, renderRows } from "../output/text-table.js";
import { parseInteger, parseList, plural, stringOption } from "../values.js";
import {
  callStream,
  type GroupInfo,
  idTime,
  integer,
  pairsToObject,
  pickGroups,
  streamGroups,
  text,
} from "./stream-replies.js";

const GROUP_OPTION: Record<string, OptionSpec> = {
  group: { type: "string", short: "g", value: "G", help: "only this consumer group" },
};

export const streamsInfoCommand: CommandSpec = {
  name: "streams info",
  summary: "A stream's length, first and last entries, and its consumer groups",
  synopsis: "<stream> [options]",
  options: {},
  examples: ["polars-redis streams info orders", "polars-redis streams info orders --json | jq .groups"],
  connects: true,
  json: true,
  positionals: { min: 1, max: 1 },
  async run(context) {
    const stream = context.positionals[0]!;
    const connection = await context.connection();
    const info = pairsToObject(await callStream(connection, stream, ["XINFO", "STREAM", stream]));
    const groups = await streamGroups(connection, stream);
    const first = entryId(info["first-entry"]);
    const last = entryId(info["last-entry"]);
    const summary = {
      stream,
      length: integer(info.length) ?? 0,
      firstId: first,
      firstTime: idTime(first),
      lastId: last,
      lastTime: idTime(last),
      lastGeneratedId: text(info["last-generated-id"]),
      entriesAdded: integer(info["entries-added"]),
      maxDeletedId: text(info["max-deleted-entry-id"]),
      groups,
    };
    if (context.values.json === true) {
      await context.out.json(summary);
      return ExitCode.OK;
    }
    await context.out.write(
      renderPairs([
        ["stream", stream],
        ["length", String(summary.length)],
        ["first entry", first === null ? "-" : `${first} (${summary.firstTime})`],
        ["last entry", last === null ? "-" : `${last} (${summary.lastTime})`],
        ["entries added", summary.entriesAdded === null ? "-" : String(summary.entriesAdded)],
        ["groups", String(groups.length)],
      ]),
    );
    if (groups.length > 0) {
      await context.out.line();
      await context.out.write(groupTable(groups));
    }
    return ExitCode.OK;
  },
};

export const streamsLagCommand: CommandSpec = {
  name: "streams lag",
  summary: "How far behind each consumer group is: entries not yet delivered, and delivered but not acked",
  synopsis: "<stream> [--group G] [options]",
  description: `lag: entries added to the stream that the group has not read yet (null when Redis cannot tell,
after entries were deleted inside the unread range). pending: entries read but not acknowledged.`,
  options: GROUP_OPTION,
  examples: [
    "polars-redis streams lag orders",
    "polars-redis streams lag orders --group billing --json | jq '.groups[0].lag'",
  ],
  connects: true,
  json: true,
  positionals: { min: 1, max: 1 },
  async run(context) {
    const stream = context.positionals[0]!;
    const connection = await context.connection();
    const groups = pickGroups(
      await streamGroups(connection, stream),
      stringOption(context.values.group),
      stream,
    );
    if (context.values.json === true) {
      await context.out.json({ stream, groups });
      return ExitCode.OK;
    }
    if (groups.length === 0) {
      await context.out.line(`stream ${stream} has no consumer groups`);
      return ExitCode.OK;
    }
    await context.out.write(groupTable(groups));
    return ExitCode.OK;
  },
};

export const streamsPendingCommand: CommandSpec = {
  name: "streams pending",
  summary: "Entries delivered but not acknowledged: per consumer (count, idle time) and the oldest entries",
  synopsis: "<stream> [--group G] [options]",
  options: {
    ...GROUP_OPTION,
    consumer: { type: "string", short: "c", value: "C", help: "only this consumer's entries" },
    count: {
      type: "string",
      short: "n",
      value: "N",
      help: "list the N oldest pending entries per group [10]",
    },
    "min-idle": { type: "string", value: "MS", help: "only entries idle at least MS milliseconds" },
  },
  examples: [
    "polars-redis streams pending orders --group billing",
    "polars-redis streams pending orders --group billing --min-idle 60000 --count 50 --json | jq '.groups[0].entries'",
  ],
  connects: true,
  json: true,
  positionals: { min: 1, max: 1 },
  async run(context) {
    const stream = context.positionals[0]!;
    const count = parseInteger(context.values.count, "--count", { min: 0 }) ?? 10;
    const minIdle = parseInteger(context.values["min-idle"], "--min-idle", { min: 0 });
    const consumer = stringOption(context.values.consumer);
    const connection = await context.connection();
    const groups = pickGroups(
      await streamGroups(connection, stream),
      stringOption(context.values.group),
      stream,
    );
    const result = [];
    for (const group of groups)
      result.push(await pendingOf(connection, stream, group, { count, minIdle, consumer }));
    if (context.values.json === true) {
      await context.out.json({ stream, groups: result });
      return ExitCode.OK;
    }
    if (result.length === 0) await context.out.line(`stream ${stream} has no consumer groups`);
    for (const group of result) {
      await context.out.line(
        `group ${group.group}: ${group.pending} pending${group.pending > 0 ? ` (ids ${group.minId} .. ${group.maxId})` : ""}`,
      );
      if (group.consumers.length > 0) {
        await context.out.write(
          indent(
            renderRows(
              ["consumer", "pending", "idle"],
              group.consumers.map((c) => [c.name, String(c.pending), milliseconds(c.idleMs)]),
            ),
          ),
        );
      }
      if (group.entries.length > 0) {
        await context.out.line(`  oldest ${group.entries.length}:`);
        await context.out.write(
          indent(
            renderRows(
              ["id", "consumer", "idle", "deliveries"],
              group.entries.map((e) => [e.id, e.consumer, milliseconds(e.idleMs), String(e.deliveries)]),
            ),
          ),
        );
      }
    }
    return ExitCode.OK;
  },
};

async function pendingOf(
  connection: RedisConnection,
  stream: string,
  group: GroupInfo,
  options: { count: number; minIdle: number | undefined; consumer: string | undefined },
) {
  const summary = (await connection.call("XPENDING", stream, group.name)) as RedisReply[];
  const consumersReply = (await connection.call("XINFO", "CONSUMERS", stream, group.name)) as RedisReply[];
  const consumers = consumersReply
    .map((reply) => {
      const fields = pairsToObject(reply);
      return {
        name: text(fields.name) ?? "",
        pending: integer(fields.pending) ?? 0,
        idleMs: integer(fields.idle),
        inactiveMs: integer(fields.inactive),
      };
    })
    .filter((c) => options.consumer === undefined || c.name === options.consumer);
  let entries: { id: string; consumer: string; idleMs: number; deliveries: number }[] = [];
  if (options.count > 0) {
    const args: (string | number)[] = [stream, group.name];
    if (options.minIdle !== undefined) args.push("IDLE", options.minIdle);
    args.push("-", "+", options.count);
    if (options.consumer !== undefined) args.push(options.consumer);
    const detail = (await connection.call("XPENDING", ...args)) as RedisReply[];
    entries = detail.map((row) => {
      const [id, consumer, idle, deliveries] = row as RedisReply[];
      return {
        id: text(id) ?? "",
        consumer: text(consumer) ?? "",
        idleMs: integer(idle) ?? 0,
        deliveries: integer(deliveries) ?? 0,
      };
    });
  }
  return {
    group: group.name,
    pending: integer(summary[0]) ?? 0,
    minId: text(summary[1]),
    maxId: text(summary[2]),
    consumers,
    entries,
  };
}

// ---- dead letters -------------------------------------------------------------------------------------------

/** The fields the streams package's consumer (and router) put in front of a dead-lettered entry's own fields. */
const DEAD_LETTER_FIELDS = [
  "source_stream",
  "source_id",
  "group",
  "consumer",
  "deliveries",
  "reason",
  "dead_lettered_at",
] as const;

interface DeadLetter {
  id: string;
  sourceStream: string;
  sourceId: string;
  group: string;
  consumer: string;
  deliveries: number | null;
  reason: string;
  deadLetteredAt: string | null;
  /** The router's failing route, when a router dead-lettered it. */
  route: string | null;
  /** The original entry's fields, in order. */
  fields: [string, string][];
}

const DLQ_OPTIONS: Record<string, OptionSpec> = {
  ...GROUP_OPTION,
  "dead-letter": {
    type: "string",
    value: "KEY",
    help: "the dead-letter stream [<stream>:dead-letter, the streams package's default]",
  },
  count: { type: "string", short: "n", value: "N", help: "at most N entries [list: 20; replay: all]" },
};

export const dlqListCommand: CommandSpec = {
  name: "streams dlq list",
  summary: "The entries a consumer group gave up on (the dead-letter stream), oldest first",
  synopsis: "<stream> [--group G] [options]",
  description: `Reads <stream>:dead-letter (or --dead-letter KEY) as written by @polars-redis/streams consumers
and routers: each record carries source_stream, source_id, group, consumer, deliveries, reason and
dead_lettered_at in front of the original entry's fields.`,
  options: DLQ_OPTIONS,
  examples: [
    "polars-redis streams dlq list orders",
    "polars-redis streams dlq list orders --group billing --json | jq '.entries[] | {sourceId, reason}'",
  ],
  connects: true,
  json: true,
  positionals: { min: 1, max: 1 },
  async run(context) {
    const stream = context.positionals[0]!;
    const deadLetter = stringOption(context.values["dead-letter"]) ?? `${stream}:dead-letter`;
    const count = parseInteger(context.values.count, "--count", { min: 1 }) ?? 20;
    const group = stringOption(context.values.group);
    const connection = await context.connection();
    const length = await deadLetterLength(connection, stream, deadLetter);
    const entries: DeadLetter[] = [];
    for await (const page of deadLetters(connection, deadLetter, context.signal)) {
      for (const entry of page) {
        if (entry.sourceStream !== stream || (group !== undefined && entry.group !== group)) continue;
        entries.push(entry);
        if (entries.length >= count) break;
      }
      if (entries.length >= count) break;
    }
    if (context.values.json === true) {
      await context.out.json({ stream, deadLetterStream: deadLetter, length, entries });
      return ExitCode.OK;
    }
    await context.out.line(
      `${deadLetter}: ${plural(length, "entry", "entries")}${entries.length < length ? `, showing ${entries.length}` : ""}${group ? ` of group ${group}` : ""}`,
    );
    if (entries.length > 0) {
      await context.out.write(
        renderRows(
          ["id", "source id", "group", "consumer", "deliveries", "dead-lettered", "reason", "fields"],
          entries.map((entry) => [
            entry.id,
            entry.sourceId,
            entry.group,
            entry.consumer,
            String(entry.deliveries ?? "-"),
            entry.deadLetteredAt ?? "-",
            shorten(entry.reason, 40),
            shorten(entry.fields.map(([name, value]) => `${name}=${value}`).join(" "), 60),
          ]),
        ),
      );
    }
    return ExitCode.OK;
  },
};

export const dlqReplayCommand: CommandSpec = {
  name: "streams dlq replay",
  summary: "Put dead-lettered entries back on their source stream (after a fix), then remove them",
  synopsis: "<stream> [--group G] [--id ID,...] [options]",
  description: `Each selected record's original fields are added to <stream> as a new entry (XADD *), and only
once that add is confirmed is the record deleted from the dead-letter stream (XDEL; --keep leaves it). A crash
in between can replay an entry twice, never lose it. The group then receives the entry as a new one. Records
of other source streams sharing the dead-letter stream are left alone. Ctrl-C stops after the current page.`,
  options: {
    ...DLQ_OPTIONS,
    id: { type: "string", value: "ID,...", help: "only these dead-letter entry ids" },
    "dry-run": { type: "boolean", help: "list what would be replayed; change nothing" },
    keep: { type: "boolean", help: "leave the records in the dead-letter stream" },
  },
  examples: [
    "polars-redis streams dlq replay orders --dry-run",
    "polars-redis streams dlq replay orders --group billing",
    "polars-redis streams dlq replay orders --id 1700000000000-0,1700000000001-0 --json | jq .replayed",
  ],
  connects: true,
  json: true,
  positionals: { min: 1, max: 1 },
  async run(context) {
    const stream = context.positionals[0]!;
    const deadLetter = stringOption(context.values["dead-letter"]) ?? `${stream}:dead-letter`;
    if (deadLetter === stream) throw usageError("--dead-letter must differ from the stream");
    const count = parseInteger(context.values.count, "--count", { min: 1 }) ?? Number.POSITIVE_INFINITY;
    const group = stringOption(context.values.group);
    const ids = parseList(context.values.id, "--id");
    const wanted = ids === undefined ? undefined : new Set(ids);
    const dryRun = context.values["dry-run"] === true;
    const keep = context.values.keep === true;
    const connection = await context.connection();
    await deadLetterLength(connection, stream, deadLetter);
    const replayed: { deadLetterId: string; sourceId: string; newId: string | null }[] = [];
    const failed: { deadLetterId: string; sourceId: string; error: string }[] = [];
    let selected = 0;
    for await (const page of deadLetters(connection, deadLetter, context.signal)) {
      const batch: DeadLetter[] = [];
      for (const entry of page) {
        if (selected >= count) break;
        if (entry.sourceStream !== stream) continue;
        if (group !== undefined && entry.group !== group) continue;
        if (wanted !== undefined && !wanted.has(entry.id)) continue;
        if (entry.fields.length === 0) {
          failed.push({
            deadLetterId: entry.id,
            sourceId: entry.sourceId,
            error: "the record holds no entry fields",
          });
          continue;
        }
        batch.push(entry);
        selected++;
      }
      if (batch.length > 0) {
        if (dryRun) {
          for (const entry of batch)
            replayed.push({ deadLetterId: entry.id, sourceId: entry.sourceId, newId: null });
        } else {
          await replayPage(connection, stream, deadLetter, batch, keep, replayed, failed);
        }
        context.progress.update({ label: "dlq replay", done: replayed.length, unit: "entries" });
      }
      // Stop between pages only: a page's adds and deletes always finish together.
      if (selected >= count || context.signal.aborted) break;
    }
    context.progress.finish();
    if (wanted !== undefined) {
      const found = new Set([...replayed, ...failed].map((entry) => entry.deadLetterId));
      const missing = [...wanted].filter((id) => !found.has(id));
      if (missing.length > 0 && replayed.length + failed.length === 0) {
        throw notFound(`no dead-letter entry of ${stream} with id ${missing.join(", ")} in ${deadLetter}`);
      }
      for (const id of missing)
        failed.push({ deadLetterId: id, sourceId: "", error: "no such dead-letter entry" });
    }
    if (context.values.json === true) {
      await context.out.json({ stream, deadLetterStream: deadLetter, dryRun, kept: keep, replayed, failed });
    } else {
      await context.out.line(
        dryRun
          ? `dry run: ${plural(replayed.length, "entry", "entries")} would be replayed to ${stream}`
          : `${plural(replayed.length, "entry", "entries")} replayed to ${stream}${keep ? " (kept in the dead-letter stream)" : ""}, ${failed.length} failed`,
      );
      for (const entry of replayed) {
        await context.out.line(
          `  ${entry.deadLetterId} (source ${entry.sourceId})${entry.newId ? ` -> ${entry.newId}` : ""}`,
        );
      }
      for (const entry of failed) await context.out.line(`  failed ${entry.deadLetterId}: ${entry.error}`);
    }
    if (context.signal.aborted) return ExitCode.INTERRUPTED;
    return failed.length > 0 ? ExitCode.PARTIAL : ExitCode.OK;
  },
};

async function replayPage(
  connection: RedisConnection,
  stream: string,
  deadLetter: string,
  batch: readonly DeadLetter[],
  keep: boolean,
  replayed: { deadLetterId: string; sourceId: string; newId: string | null }[],
  failed: { deadLetterId: string; sourceId: string; error: string }[],
): Promise<void> {
  const { isCommandError } = await import("@polars-redis/core");
  const { replyAt } = await import("@polars-redis/core/internal");
  const adds: Command[] = batch.map((entry) => ["XADD", stream, "*", ...entry.fields.flat()]);
  const added = await connection.batch(adds);
  const done: DeadLetter[] = [];
  batch.forEach((entry, index) => {
    const reply = replyAt(added, index);
    if (isCommandError(reply)) {
      failed.push({ deadLetterId: entry.id, sourceId: entry.sourceId, error: reply.message });
    } else {
      done.push(entry);
      replayed.push({ deadLetterId: entry.id, sourceId: entry.sourceId, newId: text(reply as RedisReply) });
    }
  });
  if (keep || done.length === 0) return;
  const removed = replyAt(
    await connection.batch([["XDEL", deadLetter, ...done.map((entry) => entry.id)]]),
    0,
  );
  if (isCommandError(removed)) {
    // The entries are back on the stream; their records stay in the dead-letter stream (a later replay would
    // add them again), so say so instead of hiding it.
    for (const entry of done) {
      failed.push({
        deadLetterId: entry.id,
        sourceId: entry.sourceId,
        error: `replayed, but not removed: ${removed.message}`,
      });
    }
  }
}

/** XLEN of the dead-letter stream; NOT_FOUND when neither it nor the source stream exists. */
async function deadLetterLength(
  connection: RedisConnection,
  stream: string,
  deadLetter: string,
): Promise<number> {
  const { isCommandError } = await import("@polars-redis/core");
  const { replyAt } = await import("@polars-redis/core/internal");
  const replies = await connection.batch([
    ["EXISTS", stream],
    ["XLEN", deadLetter],
  ]);
  const exists = replyAt(replies, 0);
  const length = replyAt(replies, 1);
  if (isCommandError(length)) throw length;
  if (exists === 0 && length === 0) {
    throw notFound(
      `neither stream ${JSON.stringify(stream)} nor its dead-letter stream ${JSON.stringify(deadLetter)} exists`,
    );
  }
  return Number(length);
}

/** The dead-letter stream, oldest first, in pages of 100 (XRANGE). */
async function* deadLetters(
  connection: RedisConnection,
  deadLetter: string,
  signal: AbortSignal,
): AsyncGenerator<DeadLetter[]> {
  let start = "-";
  while (!signal.aborted) {
    const reply = (await connection.call("XRANGE", deadLetter, start, "+", "COUNT", 100)) as RedisReply[];
    if (reply.length === 0) return;
    const page = reply.map((item) => {
      const [id, fields] = item as [RedisReply, RedisReply[]];
      return parseDeadLetter(
        text(id) ?? "",
        (fields ?? []).map((field) => text(field) ?? ""),
      );
    });
    yield page;
    if (reply.length < 100) return;
    start = `(${page[page.length - 1]!.id}`;
  }
}

function parseDeadLetter(id: string, flat: readonly string[]): DeadLetter {
  const meta = new Map<string, string>();
  let index = 0;
  for (const name of DEAD_LETTER_FIELDS) {
    if (flat[index] !== name) break;
    meta.set(name, flat[index + 1] ?? "");
    index += 2;
  }
  let route: string | null = null;
  if (meta.size === DEAD_LETTER_FIELDS.length && flat[index] === "route") {
    route = flat[index + 1] ?? "";
    index += 2;
  }
  const fields: [string, string][] = [];
  for (; index + 1 < flat.length; index += 2) fields.push([flat[index]!, flat[index + 1]!]);
  const at = Number(meta.get("dead_lettered_at"));
  return {
    id,
    sourceStream: meta.get("source_stream") ?? "",
    sourceId: meta.get("source_id") ?? "",
    group: meta.get("group") ?? "",
    consumer: meta.get("consumer") ?? "",
    deliveries: meta.has("deliveries") ? Number(meta.get("deliveries")) : null,
    reason: meta.get("reason") ?? "",
    deadLetteredAt: Number.isFinite(at) && at > 0 ? new Date(at).toISOString() : null,
    route,
    fields,
  };
}

function entryId(entry: RedisReply | undefined): string | null {
  return Array.isArray(entry) ? text(entry[0]) : null;
}

function groupTable(groups: readonly GroupInfo[]): string {
  return renderRows(
    ["group", "lag", "pending", "consumers", "last delivered"],
    groups.map((group) => [
      group.name,
      group.lag === null ? "unknown" : String(group.lag),
      String(group.pending),
      String(group.consumers),
      group.lastDeliveredId ?? "-",
    ]),
  );
}

function milliseconds(ms: number | null): string {
  if (ms === null) return "-";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function indent(block: string): string {
  return block
    .split("\n")
    .map((line) => (line === "" ? line : `  ${line}`))
    .join("\n");
}

function shorten(value: string, width: number): string {
  return value.length <= width ? value : `${value.slice(0, width - 1)}…`;
}
