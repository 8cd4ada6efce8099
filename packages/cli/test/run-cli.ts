import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built binary: the tests run exactly what users run (vitest's globalSetup builds it first). */
export const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Sets REDIS_URL for the child (the parent's REDIS_URL is never passed on). */
  readonly url?: string;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Kill the child after this long (a hung CLI fails the test instead of hanging it). [60000] */
  readonly timeoutMs?: number;
}

export interface RunningCli {
  readonly child: ChildProcess;
  /** Resolves when stderr has printed a line matching `pattern`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
  readonly done: Promise<CliResult>;
}

/** Starts `node dist/bin.js ...args` as a child process. */
export function startCli(args: readonly string[], options: RunOptions = {}): RunningCli {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  delete env.REDIS_URL;
  if (options.url !== undefined) env.REDIS_URL = options.url;
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const watchers: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    for (const watcher of [...watchers]) {
      if (watcher.pattern.test(stderr)) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve();
      }
    }
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  const done = new Promise<CliResult>((resolveDone) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolveDone({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    done,
    waitForStderr(pattern, timeoutMs = 30_000) {
      if (pattern.test(stderr)) return Promise.resolve();
      return new Promise<void>((resolveWait, reject) => {
        const timeout = setTimeout(
          () => reject(new Error(`stderr never matched ${pattern}; stderr so far:\n${stderr}`)),
          timeoutMs,
        );
        watchers.push({
          pattern,
          resolve: () => {
            clearTimeout(timeout);
            resolveWait();
          },
        });
        void done.then(() => {
          clearTimeout(timeout);
          reject(new Error(`the CLI exited before stderr matched ${pattern}; stderr:\n${stderr}`));
        });
      });
    },
  };
}

/** Runs the CLI to completion. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** Parses the JSON document a `--json` command printed, with the whole output in the error when it is not JSON. */
export function parseJson<T = Record<string, unknown>>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(
      `stdout is not one JSON document (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
}
