import { spawn } from "node:child_process";
import type { BenchServer } from "../registry/bench-case.js";

export interface RedisBenchmarkOptions {
  /** The command and its arguments; `__rand_int__` is replaced by a 12-digit index below `keyspace`. */
  readonly command: readonly string[];
  readonly requests: number;
  readonly keyspace: number;
  /** Requests per pipeline (`-P`). [64] */
  readonly pipeline?: number;
  /** Parallel connections (`-c`). [50, redis-benchmark's default] */
  readonly clients?: number;
}

/** The program to run: env REDIS_BENCHMARK_BIN, else `redis-benchmark` on PATH. */
export function redisBenchmarkBinary(): string {
  return process.env.REDIS_BENCHMARK_BIN ?? "redis-benchmark";
}

/**
 * Runs redis-benchmark against the bench server and returns its requests per second: the server's own ceiling
 * for the command, with no client-side decoding to speak of.
 */
export async function runRedisBenchmark(
  server: BenchServer,
  options: RedisBenchmarkOptions,
): Promise<number> {
  const args = [
    ...["-h", server.host, "-p", String(server.port)],
    ...["-P", String(options.pipeline ?? 64), "-c", String(options.clients ?? 50)],
    ...["-n", String(options.requests), "-r", String(options.keyspace), "--csv"],
    ...options.command,
  ];
  const output = await runAndCollect(redisBenchmarkBinary(), args);
  return parseRequestsPerSecond(output);
}

/** redis-benchmark --csv prints a header line, then `"<test>","<rps>",...` per test. */
export function parseRequestsPerSecond(csv: string): number {
  const line = csv
    .split("\n")
    .map((row) => row.trim())
    .find((row) => row.length > 0 && !row.startsWith('"test"'));
  const rps = Number(line?.split(",")[1]?.replaceAll('"', ""));
  if (!line || !Number.isFinite(rps) || rps <= 0)
    throw new Error(`cannot read redis-benchmark's output: ${csv}`);
  return rps;
}

function runAndCollect(binary: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      stdout += text;
    });
    child.stderr.setEncoding("utf8").on("data", (text: string) => {
      stderr += text;
    });
    child.on("error", (error) =>
      reject(new Error(`cannot run ${binary}: ${error.message}`, { cause: error })),
    );
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${binary} exited with code ${code}: ${stderr || stdout}`));
    });
  });
}
