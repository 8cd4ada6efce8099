import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { fileSize, readLogTail } from "./log-tail.js";
import { probeRedisServer } from "./readiness-probe.js";
import { forgetServerProcess, watchServerProcess } from "./reaper.js";
import { RedisServerError } from "./redis-server-error.js";
import { waitFor } from "./wait-for.js";

export interface RedisProcessSpec {
  readonly binary: string;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logFile: string;
  /** Complete redis-server command line after the binary. */
  readonly args: readonly string[];
  readonly startTimeoutMs: number;
}

/** One running redis-server process. */
export interface RedisProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves once the process has exited (never rejects). */
  readonly exited: Promise<void>;
  isAlive(): boolean;
}

/** redis-server could not bind its port (or cluster bus port): another process took it after our probe. */
export class PortInUseError extends RedisServerError {
  constructor(port: number, logTail: string) {
    super(`redis-server could not bind port ${port} (or its cluster bus port): it is in use`, { logTail });
    this.name = "PortInUseError";
  }
}

const BIND_FAILURE =
  /Address already in use|Could not create server TCP listening socket|Failed listening on port/;

/**
 * Spawns redis-server with stdout and stderr appended to the log file (so configuration errors printed before
 * the server opens its log land there too), hands it to the reaper, and resolves when it answers PING (and is
 * really this process: see readiness-probe.ts).
 * Rejects with PortInUseError when the port was taken, RedisServerError (with the log tail) otherwise.
 */
export async function launchRedisProcess(spec: RedisProcessSpec): Promise<RedisProcess> {
  // Judge a failure by this run's log lines only: the file also holds earlier runs (restart() appends).
  const logStart = fileSize(spec.logFile);
  const logFd = openSync(spec.logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(spec.binary, [...spec.args], { cwd: spec.dataDir, stdio: ["ignore", logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  let spawnError: Error | undefined;
  child.once("error", (error) => {
    spawnError = error;
  });
  const exited = new Promise<void>((resolvePromise) => {
    if (child.exitCode !== null || child.signalCode !== null) resolvePromise();
    else child.once("exit", () => resolvePromise());
    child.once("error", () => resolvePromise());
  });
  const isAlive = () => spawnError === undefined && child.exitCode === null && child.signalCode === null;
  if (child.pid !== undefined) watchServerProcess(child.pid, spec.dataDir);

  const failure = (reason: string, cause?: unknown) => {
    const logTail = readLogTail(spec.logFile, 30, logStart);
    if (BIND_FAILURE.test(logTail)) return new PortInUseError(spec.port, logTail);
    return new RedisServerError(
      `redis-server (${spec.binary}) on ${spec.host}:${spec.port} ${reason}; log: ${spec.logFile}`,
      { cause, logTail },
    );
  };

  try {
    const password = requiredPassword(spec.args);
    await waitFor(
      async () => {
        if (spawnError !== undefined) throw spawnError;
        if (!isAlive()) throw new Error(`exited with code ${child.exitCode} signal ${child.signalCode}`);
        return probeRedisServer(spec.host, spec.port, child.pid as number, { password });
      },
      {
        timeoutMs: spec.startTimeoutMs,
        intervalMs: 25,
        // Stop polling as soon as the process is gone: no point waiting out the deadline.
        stopWhen: () => !isAlive(),
        onTimeout: (lastError) =>
          isAlive()
            ? failure(`did not answer PING within ${spec.startTimeoutMs} ms`, lastError)
            : failure(
                `exited during start-up (code ${child.exitCode ?? "none"}, signal ${child.signalCode ?? "none"})`,
                spawnError ?? lastError,
              ),
      },
    );
  } catch (error) {
    child.kill("SIGKILL");
    await exited;
    if (child.pid !== undefined) forgetServerProcess(child.pid);
    throw error;
  }
  return { child, pid: child.pid as number, exited, isAlive };
}

/** The `--requirepass` the server runs with (the last one given wins, as in redis-server), if any. */
export function requiredPassword(args: readonly string[]): string | undefined {
  const index = args.lastIndexOf("--requirepass");
  return index >= 0 ? args[index + 1] : undefined;
}
