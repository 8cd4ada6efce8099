import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";

/** The size of a file in bytes, 0 when it does not exist. */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * The last `lines` lines of a (possibly large) log file, from byte `since` on (to see only what one run of the
 * server wrote); "" when it cannot be read.
 */
export function readLogTail(path: string, lines = 30, since = 0): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const size = fstatSync(fd).size;
    const length = Math.max(0, Math.min(size - since, 64 * 1024));
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString("utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
