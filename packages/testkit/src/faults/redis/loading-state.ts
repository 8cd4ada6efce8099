import { connect } from "node:net";
import { configGet, infoFields, withAdminConnection } from "../../server/admin-connection.js";
import { waitFor } from "../../server/wait-for.js";
import type { CrashableServer } from "./crash-server.js";

const LOADING_KEY_PREFIX = "testkit:loading";

/**
 * redis-server arguments that make a restart's dataset load slow enough to observe `-LOADING`:
 * `key-load-delay` sleeps that many microseconds per key loaded, and `loading-process-events-interval-bytes`
 * makes the server answer clients every KiB while it loads (by default only every 2 MiB, so a small dataset
 * would load without ever answering). Both only act while loading, so normal operation is unchanged.
 * Pass them at start: `startRedis({ persistence: true, args: loadingStateArgs() })`.
 */
export function loadingStateArgs({
  keyLoadDelayMicros = 1000,
}: {
  keyLoadDelayMicros?: number;
} = {}): string[] {
  if (!Number.isInteger(keyLoadDelayMicros) || keyLoadDelayMicros <= 0) {
    throw new RangeError(`keyLoadDelayMicros must be a positive integer, got ${keyLoadDelayMicros}`);
  }
  return ["--key-load-delay", String(keyLoadDelayMicros), "--loading-process-events-interval-bytes", "1024"];
}

export interface LoadingRestart {
  /** Resolves when the dataset is loaded and the server answers normally again. */
  readonly restarted: Promise<void>;
}

/**
 * Crashes the server and restarts it so that it answers `-LOADING Redis is loading the dataset in memory` for
 * about `loadingMs` [3000]: it adds enough filler keys (`testkit:loading:*`, via DEBUG POPULATE) for the load to
 * take that long at the server's `key-load-delay`, saves them (AOF rewrite; without AOF an RDB snapshot,
 * dump.rdb, which later restarts of that server load too), kills the process and restarts it. Resolves once a LOADING reply has been seen; await `restarted` for the end.
 *
 * The server must have been started with `loadingStateArgs()`; this fails with the reason otherwise.
 */
export async function restartIntoLoading(
  server: CrashableServer & { readonly url: string; readonly host: string; readonly port: number },
  { loadingMs = 3000 }: { loadingMs?: number | undefined } = {},
): Promise<LoadingRestart> {
  if (!Number.isInteger(loadingMs) || loadingMs <= 0) {
    throw new RangeError(`loadingMs must be a positive integer, got ${loadingMs}`);
  }
  await withAdminConnection(
    server,
    async (admin) => {
      const delayMicros = Number(await configGet(admin, "key-load-delay"));
      if (!(delayMicros > 0)) {
        throw new Error(
          "restartIntoLoading: the server runs with key-load-delay 0, so its dataset loads too fast to observe " +
            "LOADING; start it with startRedis({ persistence: true, args: loadingStateArgs() })",
        );
      }
      const keys = Math.ceil((loadingMs * 1000) / delayMicros);
      await admin.call("DEBUG", "POPULATE", String(keys), LOADING_KEY_PREFIX, "16");
      if ((await configGet(admin, "appendonly")) === "yes") {
        // Rewrite so the keys sit in the RDB preamble: key-load-delay acts on RDB loading, not on AOF replay.
        await admin.call("BGREWRITEAOF");
        await waitFor(
          async () => {
            const persistence = await infoFields(admin, "persistence");
            return (
              persistence.get("aof_rewrite_in_progress") === "0" &&
              persistence.get("aof_rewrite_scheduled") === "0"
            );
          },
          { timeoutMs: 60_000, description: "the AOF rewrite to finish" },
        );
      } else {
        await admin.call("SAVE");
      }
      // DEBUG POPULATE and SAVE take time in proportion to the dataset.
    },
    { commandTimeoutMs: 60_000 },
  );
  await server.kill();
  const restarted = server.restart();
  restarted.catch(() => undefined);
  let restartDone = false;
  void restarted.finally(() => {
    restartDone = true;
  });
  await waitFor(
    async () => {
      if (restartDone) throw new Error("the server finished loading before a LOADING reply was seen");
      return (await firstReplyLine(server.host, server.port)).startsWith("-LOADING");
    },
    { timeoutMs: 60_000, intervalMs: 10, description: "a -LOADING reply from the restarted server" },
  );
  return { restarted };
}

/** Sends an inline GET on a fresh connection and returns the first reply line ("" when refused or closed). */
function firstReplyLine(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = "";
    const finish = (line: string) => {
      socket.destroy();
      resolve(line);
    };
    socket.setTimeout(1_000, () => finish(""));
    socket.once("error", () => finish(""));
    socket.once("end", () => finish(reply));
    socket.once("connect", () => socket.write(`GET ${LOADING_KEY_PREFIX}:0\r\n`));
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString("latin1");
      const end = reply.indexOf("\r\n");
      if (end >= 0) finish(reply.slice(0, end));
    });
  });
}
