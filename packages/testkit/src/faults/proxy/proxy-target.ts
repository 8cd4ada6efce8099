/** Where a proxy forwards to: a host and port, or a redis:// URL (its credentials and db carry over to `url`). */
export type ProxyTarget = string | { host: string; port: number };

export interface ResolvedTarget {
  host: string;
  port: number;
  /** Builds the proxy's own URL: the target's URL with the proxy's host and port. */
  urlVia(host: string, port: number): string;
}

export function resolveProxyTarget(target: ProxyTarget): ResolvedTarget {
  if (typeof target !== "string") {
    if (!target.host || !Number.isInteger(target.port) || target.port <= 0 || target.port > 65_535) {
      throw new TypeError(
        `invalid proxy target ${JSON.stringify(target)}: expected { host, port } with port 1..65535`,
      );
    }
    return { host: target.host, port: target.port, urlVia: (host, port) => `redis://${host}:${port}` };
  }
  let parsed: URL;
  try {
    parsed = new URL(target);
  } catch (cause) {
    throw new TypeError(`invalid proxy target URL "${target}"`, { cause });
  }
  if (parsed.protocol !== "redis:") {
    throw new TypeError(
      `invalid proxy target URL "${target}": only redis:// is supported (the proxy speaks plain TCP)`,
    );
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1";
  const port = parsed.port === "" ? 6379 : Number(parsed.port);
  return {
    host,
    port,
    urlVia: (proxyHost, proxyPort) => {
      const via = new URL(parsed.href);
      via.hostname = proxyHost;
      via.port = String(proxyPort);
      return via.href;
    },
  };
}
