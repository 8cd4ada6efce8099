import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../src/index.js";
import { isProcessRunning } from "./fixtures/process-state.js";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const childScript = join(packageDir, "test", "fixtures", "start-server-then-die.mjs");

interface ChildServer {
  pid: number;
  port: number;
  dataDir: string;
}

/** Every child started by a test, and the server it reported: afterEach kills what is left. */
const started: Array<{ child: ChildProcess; server?: ChildServer }> = [];

/** Runs the fixture script, resolves with the server it started and a way to SIGKILL the child itself. */
function startChild(
  mode: "wait" | "throw" | "exit",
): Promise<{ server: ChildServer; killChild: () => void; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [childScript, mode], { stdio: ["ignore", "pipe", "pipe"] });
  const record: { child: ChildProcess; server?: ChildServer } = { child };
  started.push(record);
  const exited = new Promise<number | null>((resolvePromise) => {
    if (child.exitCode !== null || child.signalCode !== null) resolvePromise(child.exitCode);
    else child.once("exit", (code) => resolvePromise(code));
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolvePromise, reject) => {
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline >= 0 && record.server === undefined) {
        record.server = JSON.parse(stdout.slice(0, newline)) as ChildServer;
        resolvePromise({ server: record.server, killChild: () => child.kill("SIGKILL"), exited });
      }
    });
    void exited.then((code) =>
      reject(new Error(`child exited (${code}) before reporting a server: ${stderr}`)),
    );
  });
}

/**
 * A test that fails before it kills its child would leave the child, and so its redis-server, running: SIGKILL
 * every child still alive, then any server that outlived its child (only if that pid is still a redis-server),
 * and remove its data dir.
 */
afterEach(async () => {
  for (const { child, server } of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolvePromise) => child.once("exit", resolvePromise));
      child.kill("SIGKILL");
      await gone;
    }
    if (server === undefined) continue;
    if (isProcessRunning(server.pid) && isRedisServer(server.pid)) process.kill(server.pid, "SIGKILL");
    rmSync(server.dataDir, { recursive: true, force: true });
  }
});

function isRedisServer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("redis-server");
  } catch {
    return false;
  }
}

/** Waits until the reaper has killed the server and removed its data dir. */
async function waitForGone(server: ChildServer): Promise<void> {
  await waitFor(() => !isProcessRunning(server.pid) && !existsSync(server.dataDir), {
    timeoutMs: 15_000,
    intervalMs: 50,
    onTimeout: () =>
      new Error(
        `redis-server ${server.pid} still running: ${isProcessRunning(server.pid)}; ` +
          `${server.dataDir} exists: ${existsSync(server.dataDir)}`,
      ),
  });
}

describe("no server outlives its test process", () => {
  // The child is plain Node and cannot load TypeScript: give it a fresh build of this package.
  beforeAll(() => {
    const typescriptDir = dirname(createRequire(import.meta.url).resolve("typescript/package.json"));
    const tsc = join(typescriptDir, "bin", "tsc");
    execFileSync(process.execPath, [tsc, "-b"], { cwd: packageDir, stdio: "pipe" });
  });

  it("kills the server when the test process is killed with SIGKILL", async () => {
    const { server, killChild, exited } = await startChild("wait");
    expect(isProcessRunning(server.pid)).toBe(true);
    killChild();
    await exited;
    await waitForGone(server);
  });

  it("kills the server when the test process dies of an uncaught error", async () => {
    const { server, exited } = await startChild("throw");
    expect(await exited).not.toBe(0);
    await waitForGone(server);
  });

  it("kills the server when the test process calls process.exit()", async () => {
    const { server, exited } = await startChild("exit");
    expect(await exited).toBe(1);
    await waitForGone(server);
  });
});
