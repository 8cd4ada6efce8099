import { InvalidArgumentError } from "@polars-redis/core";
import { isStreamId } from "../stream-id.js";

/**
 * A group-less reader's position in one stream: the last id it processed and, when known, that entry's logical
 * index (how many entries had ever been added up to it). Stored as `"<id>"` or `"<id>@<index>"`; the index is
 * what lets a resumed reader tell a trim that cost it entries from one that did not.
 */
export interface ReaderPosition {
  id: string;
  index: number | undefined;
}

export function formatPosition(position: ReaderPosition): string {
  return position.index === undefined ? position.id : `${position.id}@${position.index}`;
}

export function parsePosition(text: string, argument = "checkpoint"): ReaderPosition {
  const at = text.indexOf("@");
  const id = at < 0 ? text : text.slice(0, at);
  const index = at < 0 ? undefined : Number(text.slice(at + 1));
  if (!isStreamId(id) || (index !== undefined && !(Number.isSafeInteger(index) && index >= 0))) {
    throw new InvalidArgumentError(
      argument,
      `${JSON.stringify(text)} is not a stream position ("<id>" or "<id>@<index>")`,
    );
  }
  return { id, index };
}
