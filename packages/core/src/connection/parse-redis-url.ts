import { InvalidArgumentError } from "../errors/invalid-argument-error.js";

export interface ParsedRedisUrl {
  host: string;
  port: number;
  db: number;
  username: string | undefined;
  password: string | undefined;
  tls: boolean;
}

/**
 * Parses `redis://[[user]:password@]host[:port][/db]` and `rediss://...` (TLS). Checked before any socket is
 * opened, so a typo fails at once with a message that says what is wrong, instead of a reconnect loop.
 */
export function parseRedisUrl(url: string): ParsedRedisUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new InvalidArgumentError("url", `${JSON.stringify(redact(url))} is not a valid URL`, cause);
  }
  const shown = JSON.stringify(redact(url));
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new InvalidArgumentError("url", `${shown} must start with redis:// or rediss://`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") throw new InvalidArgumentError("url", `${shown} has no host`);
  const port = parsed.port === "" ? 6379 : Number(parsed.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError("url", `${shown} has an invalid port`);
  }
  const path = parsed.pathname.replace(/^\//, "");
  const db = path === "" ? 0 : Number(path);
  if (!/^\d*$/.test(path) || !Number.isInteger(db)) {
    throw new InvalidArgumentError(
      "url",
      `${shown}: the path must be a database number, got ${JSON.stringify(path)}`,
    );
  }
  return {
    host,
    port,
    db,
    username: parsed.username === "" ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === "" ? undefined : decodeURIComponent(parsed.password),
    tls: parsed.protocol === "rediss:",
  };
}

/** The URL with its password replaced, for error messages and logs. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, "$1***@");
}
