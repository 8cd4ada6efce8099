import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pickFreePort } from "./free-port.js";
import { readLogTail } from "./log-tail.js";
import { forgetServerProcess } from "./reaper.js";
import { resolveRedisServerBinary } from "./redis-binary.js";
import { loadModuleArgs, type RedisModuleName } from "./redis-modules.js";
import { launchRedisProcess, PortInUseError, type RedisProcess } from "./redis-process.js";
import { RedisServerError } from "./redis-server-error.js";
import { waitFor } from "./wait-for.js";

export interface StartRedisOptions {
  /**
   * Keep data across kill() + restart(): the server runs with an append-only file fsynced on every write
   * (`appendonly yes`, `appendfsync always`). Without it nothing is ever saved. Default false.
   */
  readonly persistence?: boolean | undefined;
  /** Extra redis-server arguments, appended last so they win, e.g. `["--maxmemory", "10mb"]`. */
  readonly args?: readonly string[] | undefined;
  /** Path of the redis-server binary; default env REDIS_SERVER_BIN, else `redis-server` on PATH. */
  readonly binary?: string | undefined;
  /** How long start() and restart() wait for the server to answer PING. Default 30 s. */
  readonly startTimeoutMs?: number | undefined;
  /**
   * Redis modules to load (`--loadmodule`): "search" (RediSearch), "timeseries" (RedisTimeSeries), "json"
   * (RedisJSON / ReJSON). Their libraries are looked up in `modulesDir`; a missing one throws
   * RedisModuleNotFoundError before any process starts.
   */
  readonly modules?: readonly RedisModuleName[] | undefined;
  /** Folder holding the module libraries; default env REDIS_MODULES_DIR, else shared/redis-modules beside the checkout. */
  readonly modulesDir?: string | undefined;
}

/** A redis-server process owned by the caller, on a free loopback port in its own temp dir. */
export interface RedisServer extends AsyncDisposable {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** The pid of the current process (a restart() changes it). */
  readonly pid: number;
  /** The server's working directory (AOF, RDB, nodes.conf); removed by stop(). */
  readonly dataDir: string;
  /** stdout + stderr of every run of this server, appended. */
  readonly logFile: string;
  /** The full argument list passed to redis-server. */
  readonly args: readonly string[];
  /** True while the process runs. */
  isRunning(): boolean;
  /** The last lines of the log file. */
  logTail(lines?: number): string;
  /** SIGKILL the process (a crash; the data dir stays, so restart() can bring it back). */
  kill(): Promise<void>;
  /** Shut down gracefully if running, then start again on the same port and data dir; resolves when ready. */
  restart(): Promise<void>;
  /** Stop for good: graceful shutdown (SIGKILL after a grace period) and removal of the data dir. Idempotent. */
  stop(): Promise<void>;
}

/** Options the cluster fixture adds on top of the public ones. */
export interface LaunchServerOptions extends StartRedisOptions {
  /** The port's cluster bus port (+10000) must be free too. */
  readonly clusterBus?: boolean;
  /** Arguments placed after the defaults and before `args` (used by the cluster fixture). */
  readonly fixtureArgs?: readonly string[];
}

const HOST = "127.0.0.1";
const PORT_ATTEMPTS = 8;
const STOP_GRACE_MS = 10_000;

function serverArgs(
  port: number,
  dataDir: string,
  options: LaunchServerOptions,
  moduleArgs: readonly string[],
): string[] {
  return [
    ...["--port", String(port), "--bind", HOST, "--protected-mode", "no", "--daemonize", "no"],
    ...["--dir", dataDir, "--save", ""],
    // Log to stdout, which goes to the log file together with stderr (start-up errors land there too).
    ...["--logfile", ""],
    // Fault tests use DEBUG SLEEP and friends; Redis 7 refuses DEBUG unless enabled.
    ...["--enable-debug-command", "yes"],
    // Redis 7 waits 5 s before a diskless full sync to batch replicas; tests attach replicas one at a time.
    ...["--repl-diskless-sync-delay", "0"],
    ...(options.persistence ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]),
    ...moduleArgs,
    ...(options.fixtureArgs ?? []),
    ...(options.args ?? []),
  ];
}

class LocalRedisServer implements RedisServer {
  readonly host = HOST;
  private process: RedisProcess;
  private stopped = false;

  constructor(
    readonly port: number,
    readonly dataDir: string,
    readonly logFile: string,
    readonly args: readonly string[],
    private readonly binary: string,
    private readonly startTimeoutMs: number,
    initial: RedisProcess,
  ) {
    this.process = initial;
  }

  get url(): string {
    return `redis://${this.host}:${this.port}`;
  }

  get pid(): number {
    return this.process.pid;
  }

  isRunning(): boolean {
    return this.process.isAlive();
  }

  logTail(lines = 30): string {
    return readLogTail(this.logFile, lines);
  }

  async kill(): Promise<void> {
    if (!this.process.isAlive()) return;
    this.process.child.kill("SIGKILL");
    await this.process.exited;
  }

  async restart(): Promise<void> {
    if (this.stopped)
      throw new RedisServerError(`redis-server on port ${this.port} was stopped; it cannot restart`);
    await this.shutDown();
    const previousPid = this.process.pid;
    // The port was ours a moment ago; only an unlucky process can have taken it since. Wait for it, do not move.
    let fatal: unknown;
    this.process = await waitFor(
      async () => {
        try {
          return await launchRedisProcess(this.spec());
        } catch (error) {
          if (!(error instanceof PortInUseError)) fatal = error;
          throw error;
        }
      },
      {
        timeoutMs: this.startTimeoutMs,
        intervalMs: 200,
        stopWhen: () => fatal !== undefined,
        onTimeout: (lastError) => (fatal ?? lastError) as Error,
      },
    );
    forgetServerProcess(previousPid);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.shutDown();
    forgetServerProcess(this.process.pid);
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private spec() {
    return {
      binary: this.binary,
      host: this.host,
      port: this.port,
      dataDir: this.dataDir,
      logFile: this.logFile,
      args: this.args,
      startTimeoutMs: this.startTimeoutMs,
    };
  }

  /** SIGTERM (redis-server flushes its AOF and exits), SIGKILL if it hangs past the grace period. */
  private async shutDown(): Promise<void> {
    if (!this.process.isAlive()) return;
    this.process.child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<"timeout">((resolvePromise) => {
      timer = setTimeout(() => resolvePromise("timeout"), STOP_GRACE_MS);
    });
    const outcome = await Promise.race([this.process.exited.then(() => "exited" as const), graceOver]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      this.process.child.kill("SIGKILL");
      await this.process.exited;
    }
  }
}

/**
 * Starts a redis-server on a free port in a new temp dir (internal: the cluster fixture adds its options).
 * A bind failure (another process took the port after our probe) is retried on a fresh port.
 */
export async function launchServer(options: LaunchServerOptions = {}): Promise<RedisServer> {
  const binary = resolveRedisServerBinary(options.binary);
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const moduleArgs = loadModuleArgs(options.modules, options.modulesDir);
  let lastBindError: PortInUseError | undefined;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await pickFreePort({ clusterBus: options.clusterBus ?? false });
    const dataDir = mkdtempSync(join(tmpdir(), `polars-redis-${port}-`));
    const logFile = join(dataDir, "redis.log");
    const args = serverArgs(port, dataDir, options, moduleArgs);
    try {
      const process = await launchRedisProcess({
        binary,
        host: HOST,
        port,
        dataDir,
        logFile,
        args,
        startTimeoutMs,
      });
      return new LocalRedisServer(port, dataDir, logFile, args, binary, startTimeoutMs, process);
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      if (!(error instanceof PortInUseError)) throw error;
      lastBindError = error;
    }
  }
  throw new RedisServerError(`redis-server could not bind a free port in ${PORT_ATTEMPTS} attempts`, {
    cause: lastBindError,
    logTail: lastBindError?.logTail,
  });
}

/**
 * Starts `redis-server` (from PATH, or env REDIS_SERVER_BIN) on a free loopback port in its own temp dir and
 * resolves once it answers PING. Use with `await using server = await startRedis()`, or call stop().
 * The server never outlives this process, even when the process is killed (see reaper.ts).
 */
export function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const { binary, args, persistence, startTimeoutMs, modules, modulesDir } = options;
  return launchServer({ binary, args, persistence, startTimeoutMs, modules, modulesDir });
}
