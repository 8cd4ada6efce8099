/**
 * One stream entry as Redis returns it: the id and the flat `[field, value, field, value, ...]` list.
 * `stream` is the key it came from (consumers and routers read several keys at once).
 */
export interface StreamEntry {
  readonly stream: string;
  readonly id: string;
  readonly fields: readonly string[];
}

/**
 * Parses the entries of one stream from an XRANGE / XCLAIM reply, or one stream's part of an XREAD(GROUP)
 * reply. Entries whose fields are nil (deleted while pending, in a history read) are returned separately.
 */
export function parseEntries(
  stream: string,
  reply: unknown,
): { entries: StreamEntry[]; deletedIds: string[] } {
  const entries: StreamEntry[] = [];
  const deletedIds: string[] = [];
  if (!Array.isArray(reply)) return { entries, deletedIds };
  for (const item of reply) {
    if (!Array.isArray(item)) continue;
    const id = String(item[0]);
    const fields = item[1];
    if (Array.isArray(fields)) entries.push({ stream, id, fields: fields as string[] });
    else deletedIds.push(id);
  }
  return { entries, deletedIds };
}

/** Parses an XREAD / XREADGROUP reply (`[[stream, entries], ...]` or nil) into entries of every stream. */
export function parseMultiStreamReply(reply: unknown): { entries: StreamEntry[]; deleted: StreamEntry[] } {
  const entries: StreamEntry[] = [];
  const deleted: StreamEntry[] = [];
  if (!Array.isArray(reply)) return { entries, deleted };
  for (const part of reply) {
    if (!Array.isArray(part)) continue;
    const stream = String(part[0]);
    const parsed = parseEntries(stream, part[1]);
    entries.push(...parsed.entries);
    for (const id of parsed.deletedIds) deleted.push({ stream, id, fields: [] });
  }
  return { entries, deleted };
}
