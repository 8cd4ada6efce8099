import { type RedisEndpoint, withAdminConnection } from "../../server/admin-connection.js";

export interface ClientPause extends AsyncDisposable {
  /** When the server resumes by itself (epoch ms, by this process's clock). */
  readonly until: number;
  /**
   * `CLIENT UNPAUSE`. Idempotent. A WRITE pause ends at once; an ALL pause postpones every command on Redis 7.0,
   * CLIENT UNPAUSE included, so then this resolves only when the pause runs out: keep ALL pauses short.
   */
  unpause(): Promise<void>;
}

/**
 * `CLIENT PAUSE ms WRITE|ALL`: the server holds the commands of every client (WRITE: only writes) for `ms`
 * milliseconds, as during a failover. The pause is in force when this resolves; `unpause()` ends it early.
 */
export async function pauseClients(
  endpoint: RedisEndpoint,
  { ms, mode = "ALL" }: { ms: number; mode?: "WRITE" | "ALL" | undefined },
): Promise<ClientPause> {
  if (!Number.isInteger(ms) || ms <= 0) throw new RangeError(`ms must be a positive integer, got ${ms}`);
  if (mode !== "WRITE" && mode !== "ALL") throw new RangeError(`mode must be "WRITE" or "ALL", got ${mode}`);
  const until = Date.now() + ms;
  await withAdminConnection(endpoint, (admin) => admin.call("CLIENT", "PAUSE", String(ms), mode));
  let done = false;
  const unpause = async () => {
    if (done) return;
    done = true;
    // Under an ALL pause the handshake and UNPAUSE itself wait for the pause to end: allow for that.
    const waitMs = mode === "ALL" ? Math.max(0, until - Date.now()) + 5_000 : 5_000;
    await withAdminConnection(endpoint, (admin) => admin.call("CLIENT", "UNPAUSE"), {
      connectTimeoutMs: waitMs,
      commandTimeoutMs: waitMs,
    });
  };
  return { until, unpause, [Symbol.asyncDispose]: unpause };
}
