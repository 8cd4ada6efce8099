import { Redis } from "ioredis";

/** A server to act on: a redis:// URL, or anything with a `url` (a startRedis() handle, a cluster node). */
export type RedisEndpoint = string | { readonly url: string };

export function endpointUrl(endpoint: RedisEndpoint): string {
  return typeof endpoint === "string" ? endpoint : endpoint.url;
}

/**
 * A short-lived connection for fault commands (CONFIG SET, CLIENT KILL, DEBUG ...): it never retries or
 * queues, so a fault helper fails loudly instead of hanging when the server is gone.
 */
export async function openAdminConnection(endpoint: RedisEndpoint): Promise<Redis> {
  const admin = new Redis(endpointUrl(endpoint), {
    lazyConnect: true,
    connectionName: "testkit-admin",
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  admin.on("error", () => {
    // Surfaced through the failing command instead.
  });
  await admin.connect();
  return admin;
}

export async function withAdminConnection<T>(
  endpoint: RedisEndpoint,
  action: (admin: Redis) => Promise<T>,
): Promise<T> {
  const admin = await openAdminConnection(endpoint);
  try {
    return await action(admin);
  } finally {
    admin.disconnect();
  }
}

/** `INFO <section>` as a field map. */
export async function infoFields(admin: Redis, section: string): Promise<Map<string, string>> {
  const text = await admin.info(section);
  const fields = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const separator = line.indexOf(":");
    if (separator > 0 && !line.startsWith("#"))
      fields.set(line.slice(0, separator), line.slice(separator + 1));
  }
  return fields;
}

/** `CONFIG GET name` as a string. */
export async function configGet(admin: Redis, name: string): Promise<string> {
  const reply = (await admin.config("GET", name)) as unknown;
  if (Array.isArray(reply)) return String(reply[1] ?? "");
  if (reply !== null && typeof reply === "object")
    return String((reply as Record<string, unknown>)[name] ?? "");
  throw new Error(`unexpected CONFIG GET ${name} reply: ${JSON.stringify(reply)}`);
}
