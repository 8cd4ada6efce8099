/** The part of a startRedis() handle (or a cluster node) that crash helpers drive. */
export interface CrashableServer {
  kill(): Promise<void>;
  restart(): Promise<void>;
}

/**
 * `kill -9` then start again on the same port and data dir; resolves when the server answers. With
 * `startRedis({ persistence: true })` every acknowledged write survives (AOF, fsync always); without, the
 * server comes back empty.
 */
export async function crashAndRestart(server: CrashableServer): Promise<void> {
  await server.kill();
  await server.restart();
}
