import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { RedisServerNotFoundError } from "./redis-server-error.js";

const INSTALL_HINT =
  "Install it with `apt-get install -y redis-server` (Debian/Ubuntu), " +
  "or set REDIS_SERVER_BIN to the path of a redis-server binary.";

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The redis-server binary to run: an explicit path, else env REDIS_SERVER_BIN, else `redis-server` on PATH.
 * Throws RedisServerNotFoundError with the install command when there is none.
 */
export function resolveRedisServerBinary(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = explicit ?? env.REDIS_SERVER_BIN;
  if (configured !== undefined && configured !== "") {
    const path = isAbsolute(configured) || configured.includes("/") ? resolve(configured) : undefined;
    if (path !== undefined) {
      if (isExecutableFile(path)) return path;
      throw new RedisServerNotFoundError(
        `redis-server binary "${configured}" (from ${explicit !== undefined ? "the binary option" : "REDIS_SERVER_BIN"}) ` +
          `does not exist or is not executable. ${INSTALL_HINT}`,
      );
    }
  }
  const name = configured !== undefined && configured !== "" ? configured : "redis-server";
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new RedisServerNotFoundError(`${name} was not found on PATH. ${INSTALL_HINT}`);
}
