import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { isProcessRunning } from "./process-state.js";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const childScript = join(packageDir, "test", "fixtures", "start-server-then-die.mjs");

interface ChildServer {
  pid: number;
  port: number;
  dataDir: string;
}

/** Runs the fixture script, resolves with the server it started and a way to SIGKILL the child itself. */
function startChild(
  mode: "wait" | "throw" | "exit",
): Promise<{ server: ChildServer; killChild: () => void; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [childScript, mode], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolvePromise) =>
    child.once("exit", (code) => resolvePromise(code)),
  );
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolvePromise, reject) => {
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline >= 0) {
        resolvePromise({
          server: JSON.parse(stdout.slice(0, newline)),
          killChild: () => child.kill("SIGKILL"),
          exited,
        });
      }
    });
    void exited.then((code) =>
      reject(new Error(`child exited (${code}) before reporting a server: ${stderr}`)),
    );
  });
}

async function waitForGone(pid: number, dataDir: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessRunning(pid) || existsSync(dataDir)) {
    if (Date.now() > deadline) {
      throw new Error(
        `redis-server ${pid} still running: ${isProcessRunning(pid)}; ${dataDir} exists: ${existsSync(dataDir)}`,
      );
    }
    await delay(50);
  }
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
    await waitForGone(server.pid, server.dataDir);
  });

  it("kills the server when the test process dies of an uncaught error", async () => {
    const { server, exited } = await startChild("throw");
    expect(await exited).not.toBe(0);
    await waitForGone(server.pid, server.dataDir);
  });

  it("kills the server when the test process calls process.exit()", async () => {
    const { server, exited } = await startChild("exit");
    expect(await exited).toBe(1);
    await waitForGone(server.pid, server.dataDir);
  });
});
