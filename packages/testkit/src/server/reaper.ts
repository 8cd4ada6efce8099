import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";

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
// Same encoding as the parent's processStartTime: start time of a live pid, "gone", or "-" (no /proc).
const hasProc = fs.existsSync("/proc/self/stat");
function startTime(pid) {
  if (!hasProc) return "-";
  try {
    const stat = fs.readFileSync("/proc/" + pid + "/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] === "Z" || fields[0] === "X" ? "gone" : fields[19];
  } catch { return "gone"; }
}
function reap() {
  // Kill only the processes we were told about, and only if the pid still names that same process.
  for (const [pid, entry] of watched) {
    if (entry.startTime !== "gone" && startTime(pid) === entry.startTime) {
      try { process.kill(pid, "SIGKILL"); } catch {}
    }
  }
  const deadline = Date.now() + 5000;
  for (const [pid, entry] of watched) {
    while (Date.now() < deadline && entry.startTime !== "-" && startTime(pid) === entry.startTime) {
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
    if (verb === "watch") watched.set(Number(pid), { startTime: start, dir: dir.join(" ") });
    if (verb === "forget") watched.delete(Number(pid));
  }
});
process.stdin.on("end", reap);
process.stdin.on("close", reap);
process.stdin.on("error", reap);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, reap);
`;

let reaper: ChildProcess | undefined;

interface OwnedServer {
  readonly dir: string;
  /** Field 22 of /proc/<pid>/stat when we started it (see processStartTime): tells our process from a reused pid. */
  readonly startTime: string;
}
/** Servers this process started and has not stopped yet (killed ones included: their dirs still need cleaning). */
const owned = new Map<number, OwnedServer>();
let exitHandlerInstalled = false;

const HAS_PROC = existsSync("/proc/self/stat");

/** The start time of a live `pid`; "gone" when it is not running; "-" when there is no /proc to tell. */
function processStartTime(pid: number): string {
  if (!HAS_PROC) return "-";
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] === "Z" || fields[0] === "X" ? "gone" : (fields[19] ?? "gone");
  } catch {
    return "gone";
  }
}

function announce(child: ChildProcess, pid: number, server: OwnedServer): void {
  child.stdin?.write(`watch ${pid} ${server.startTime} ${server.dir}\n`);
}

function reaperProcess(): ChildProcess {
  if (reaper !== undefined && reaper.exitCode === null && reaper.signalCode === null) return reaper;
  // No NODE_OPTIONS: a test runner's --import/--require hooks have no business in the reaper.
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, ["-e", REAPER_SOURCE], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
    env,
  });
  child.on("error", () => {});
  child.stdin?.on("error", () => {});
  // The reaper must never keep this process alive: neither the child nor our end of its pipe holds the loop.
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  reaper = child;
  // A replacement reaper (someone killed the first one) takes over every server still owned.
  for (const [pid, server] of owned) announce(child, pid, server);
  return child;
}

/** On a normal exit (even process.exit() after a failure) kill our servers right away, without the reaper. */
function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on("exit", () => {
    for (const [pid, server] of owned) {
      if (server.startTime !== "gone" && processStartTime(pid) === server.startTime) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      // The reaper deletes the dir once the process is really gone; deleting it here too is harmless.
      rmSync(server.dir, { recursive: true, force: true });
    }
  });
}

/** Hands a just-spawned redis-server to the reaper, so it dies with this process. */
export function watchServerProcess(pid: number, dir: string): void {
  installExitHandler();
  const server = { dir, startTime: processStartTime(pid) };
  const current = reaperProcess();
  owned.set(pid, server);
  announce(current, pid, server);
}

/** The server was stopped by its owner: the reaper must not touch its pid (which the kernel may reuse) again. */
export function forgetServerProcess(pid: number): void {
  owned.delete(pid);
  reaper?.stdin?.write(`forget ${pid}\n`);
}
