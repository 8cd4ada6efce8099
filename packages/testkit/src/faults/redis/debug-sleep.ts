import { openAdminConnection, type RedisEndpoint } from "../../server/admin-connection.js";

export interface ServerSleep {
  /** Resolves when the server answers again (the sleep is over). */
  readonly finished: Promise<void>;
}

/**
 * `DEBUG SLEEP`: the whole server blocks for `ms` milliseconds (no command of any client runs), as a slow
 * Lua script or a fork on a huge dataset would. Resolves once the command has left this process (so a command
 * sent afterwards reaches the server after it and waits); `finished` resolves when the server is awake.
 * The server must run with `enable-debug-command yes` (startRedis does).
 */
export async function debugSleep(endpoint: RedisEndpoint, ms: number): Promise<ServerSleep> {
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`ms must be a positive number, got ${ms}`);
  // The reply comes when the sleep is over: give the command that long, plus the usual deadline.
  const admin = await openAdminConnection(endpoint, { commandTimeoutMs: Math.ceil(ms) + 5_000 });
  const reply = admin.call("DEBUG", "SLEEP", (ms / 1000).toFixed(3));
  // ioredis writes a command to its socket synchronously; an empty write's callback runs once that is flushed.
  await new Promise<void>((resolve, reject) => {
    admin.stream.write("", (error) => (error ? reject(error) : resolve()));
  });
  const finished = reply.then(
    () => admin.disconnect(),
    (error: unknown) => {
      admin.disconnect();
      throw error;
    },
  );
  // A caller that only wanted the server blocked may never await `finished`; do not crash it with an
  // unhandled rejection. Awaiting `finished` still rejects.
  finished.catch(() => undefined);
  return { finished };
}
