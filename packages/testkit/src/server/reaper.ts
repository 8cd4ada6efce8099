import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";

/*
 * Why a reaper: a redis-server started by a test must not outlive the test process, even when that process is
 * killed with SIGKILL (no exit handler runs then, and the server would keep its port and temp dir forever).
 *
 * How: the first server a process starts also starts one tiny detached Node process, the reaper, whose stdin is
 * a pipe from us. We tell it "watch <pid> <start-time> <dir>" for each server and "forget <pid>" when we stop
 * one ourselves. The kernel closes our end of the pipe however we die (exit, crash, SIGKILL), so the reaper
 * sees end-of-file at once (no polling) and SIGKILLs every server still watched, then deletes their temp dirs.
 * It lives in its own session (detached), so a signal sent to our process group does not take it down first.
 * The pipe is opened close-on-exec by libuv, so redis-server never inherits it (which would hide our death).
 * The start time from /proc/<pid>/stat guards against killing an unrelated process that reused the pid.
 */
const REAPER_SOURCE = `
process.title = "polars-redis-testkit-reaper";
const fs = require("node:fs");
const watched = new Map();
// The process's start time, or undefined once it is gone (a zombie counts as gone: it holds no port or file).
function startTime(pid) {
  try {
    const fields = fs.readFileSync("/proc/" + pid + "/stat", "utf8");
    const after = fields.slice(fields.lastIndexOf(")") + 2).split(" ");
    return after[0] === "Z" || after[0] === "X" ? undefined : after[19];
  } catch { return undefined; }
}
function reap() {
  for (const [pid, entry] of watched) {
    const now = startTime(pid);
    if (entry.startTime === undefined || now === entry.startTime) {
      try { process.kill(pid, "SIGKILL"); } catch {}
    }
  }
  const deadline = Date.now() + 5000;
  for (const [pid, entry] of watched) {
    while (Date.now() < deadline && entry.startTime !== undefined && startTime(pid) === entry.startTime) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
    if (entry.dir) { try { fs.rmSync(entry.dir, { recursive: true, force: true }); } catch {} }
  }
  process.exit(0);
}
let buffered = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buffered += chunk;
  let newline;
  while ((newline = buffered.indexOf("\\n")) >= 0) {
    const [verb, pid, start, ...dir] = buffered.slice(0, newline).split(" ");
    buffered = buffered.slice(newline + 1);
    if (verb === "watch") watched.set(Number(pid), { startTime: start === "-" ? undefined : start, dir: dir.join(" ") });
    if (verb === "forget") watched.delete(Number(pid));
  }
});
process.stdin.on("end", reap);
process.stdin.on("close", reap);
process.stdin.on("error", reap);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, reap);
`;

let reaper: ChildProcess | undefined;
/** Servers this process owns and has not stopped yet: pid -> temp dir. */
const owned = new Map<number, string>();
let exitHandlerInstalled = false;

function processStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "-";
  } catch {
    return "-";
  }
}

function reaperProcess(): ChildProcess {
  if (reaper !== undefined && reaper.exitCode === null && reaper.signalCode === null) return reaper;
  const child = spawn(process.execPath, ["-e", REAPER_SOURCE], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
  });
  child.on("error", () => {});
  child.stdin?.on("error", () => {});
  // The reaper must never keep this process alive: neither the child nor our end of its pipe holds the loop.
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  reaper = child;
  return child;
}

/** On a normal exit (even process.exit() after a failure) kill our servers right away, without the reaper. */
function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on("exit", () => {
    for (const [pid, dir] of owned) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
      // The reaper deletes the dir once the process is really gone; deleting it here too is harmless.
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** Hands a just-spawned redis-server to the reaper, so it dies with this process. */
export function watchServerProcess(pid: number, dir: string): void {
  installExitHandler();
  owned.set(pid, dir);
  reaperProcess().stdin?.write(`watch ${pid} ${processStartTime(pid)} ${dir}\n`);
}

/** The server was stopped by its owner: the reaper must not touch its pid (which the kernel may reuse) again. */
export function forgetServerProcess(pid: number): void {
  owned.delete(pid);
  reaper?.stdin?.write(`forget ${pid}\n`);
}
