import { Redis } from "ioredis";

/**
 * A server to act on: a redis:// URL, anything with a `url` (a startRedis() handle, a cluster node), or a
 * host and port.
 */
export type RedisEndpoint =
  | string
  | { readonly url: string }
  | { readonly host: string; readonly port: number };

export function endpointUrl(endpoint: RedisEndpoint): string {
  if (typeof endpoint === "string") return endpoint;
  if ("url" in endpoint) return endpoint.url;
  return `redis://${endpoint.host}:${endpoint.port}`;
}

export interface AdminConnectionOptions {
  /** How long connecting may take, TCP connect and handshake together [5000 ms]. */
  connectTimeoutMs?: number | undefined;
  /** How long each command may wait for its reply [5000 ms]; raise it for commands that block on purpose. */
  commandTimeoutMs?: number | undefined;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * A short-lived connection for admin and fault commands (CONFIG SET, CLIENT KILL, CLUSTER NODES, DEBUG ...).
 * It never retries or queues, and every step has a deadline, so a helper fails loudly instead of hanging when
 * the server is gone or does not answer (a blackholed proxy, a paused or stopped process):
 * - `connectTimeoutMs` bounds connecting, handshake included (ioredis' own connectTimeout covers TCP only);
 * - `commandTimeoutMs` bounds every command;
 * - no ready check: ioredis' INFO probe is not covered by connectTimeout, and it waits silently while the
 *   server loads its dataset, where an admin helper wants the server's own answer (`-LOADING`).
 * RESP2 keeps INFO, CONFIG GET and CLUSTER NODES replies plain strings and arrays.
 */
export async function openAdminConnection(
  endpoint: RedisEndpoint,
  {
    connectTimeoutMs = DEFAULT_TIMEOUT_MS,
    commandTimeoutMs = DEFAULT_TIMEOUT_MS,
  }: AdminConnectionOptions = {},
): Promise<Redis> {
  const url = endpointUrl(endpoint);
  const admin = new Redis(url, {
    lazyConnect: true,
    protocol: 2,
    connectionName: "testkit-admin",
    disableClientInfo: true,
    enableReadyCheck: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
  });
  admin.on("error", () => {
    // Surfaced through the failing connect or command instead.
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`did not connect and answer the handshake within ${connectTimeoutMs} ms`)),
      connectTimeoutMs,
    );
  });
  try {
    await Promise.race([admin.connect(), deadline]);
    return admin;
  } catch (error) {
    admin.disconnect();
    throw adminError(url, error);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `action` on a fresh admin connection (see openAdminConnection) and closes it. */
export async function withAdminConnection<T>(
  endpoint: RedisEndpoint,
  action: (admin: Redis) => Promise<T>,
  options: AdminConnectionOptions = {},
): Promise<T> {
  const admin = await openAdminConnection(endpoint, options);
  try {
    return await action(admin);
  } catch (error) {
    throw adminError(endpointUrl(endpoint), error);
  } finally {
    admin.disconnect();
  }
}

/** A command and its arguments, answered as one string (INFO, CLUSTER NODES, ...). */
export async function callForString(redis: Redis, command: string, ...args: string[]): Promise<string> {
  const reply = await redis.call(command, ...args);
  return Buffer.isBuffer(reply) ? reply.toString("utf8") : String(reply);
}

/** `field:value` lines of an INFO (or CLUSTER INFO) reply as a map; section headers are left out. */
export function parseInfo(reply: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of reply.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && !line.startsWith("#")) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

/** `INFO <section>` as a field map. */
export async function infoFields(admin: Redis, section: string): Promise<Map<string, string>> {
  return parseInfo(await callForString(admin, "INFO", section));
}

/** `CONFIG GET name` as a string. */
export async function configGet(admin: Redis, name: string): Promise<string> {
  const reply = (await admin.config("GET", name)) as unknown;
  if (Array.isArray(reply)) return String(reply[1] ?? "");
  throw new Error(`unexpected CONFIG GET ${name} reply: ${JSON.stringify(reply)}`);
}

const CONNECTION_FAILURE =
  /Command timed out|Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|EPIPE|did not connect/;

/**
 * A timeout or a lost connection is re-thrown naming the server, so a test failure says which server did not
 * answer. The server's own error replies (WRONGTYPE, OOM, ...) and the caller's errors pass through unchanged.
 */
function adminError(url: string, error: unknown): unknown {
  if (!(error instanceof Error) || !CONNECTION_FAILURE.test(error.message)) return error;
  if (error.message.startsWith("testkit admin connection")) return error;
  return new Error(`testkit admin connection to ${url}: ${error.message}`, { cause: error });
}
