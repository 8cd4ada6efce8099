import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { CheckpointStore } from "@polars-redis/core";
import { requireKey } from "../internal/validate.js";

/**
 * Positions as files in a directory, one file per name, written atomically: the new position goes to a
 * temporary file that is fsynced and then renamed over the old one (and the directory fsynced), so a crash at
 * any moment leaves either the old position or the new one, never a torn file. Writes to one name are
 * serialised within the process; different processes should use different names.
 */
export function createFileCheckpointStore(directory: string): CheckpointStore {
  const dir = requireKey("directory", directory);
  const chains = new Map<string, Promise<void>>();
  let ready: Promise<void> | undefined;
  const ensureDir = (): Promise<void> => {
    ready ??= mkdir(dir, { recursive: true }).then(() => undefined);
    return ready;
  };
  const fileOf = (name: string): string =>
    join(dir, `${encodeURIComponent(requireKey("name", name))}.checkpoint`);
  const serialise = (name: string, work: () => Promise<void>): Promise<void> => {
    const next = (chains.get(name) ?? Promise.resolve()).catch(() => {}).then(work);
    chains.set(name, next);
    return next;
  };
  return {
    async get(name) {
      const file = fileOf(name);
      await chains.get(name)?.catch(() => {});
      try {
        return (await readFile(file, "utf8")) || undefined;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
    },
    set(name, position) {
      const file = fileOf(name);
      const text = requireKey("position", position);
      return serialise(name, async () => {
        await ensureDir();
        const temporary = `${file}.${process.pid}.tmp`;
        const handle = await open(temporary, "w");
        try {
          await handle.writeFile(text, "utf8");
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temporary, file);
        await syncDirectory(dir);
      });
    },
    delete(name) {
      const file = fileOf(name);
      return serialise(name, async () => {
        await unlink(file).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== "ENOENT") throw error;
        });
        await syncDirectory(dir).catch(() => {});
      });
    },
  };
}

/** Makes a rename durable: the directory entry itself must reach the disk. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
