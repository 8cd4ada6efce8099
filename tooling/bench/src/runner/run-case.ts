import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BenchCase, CaseContext } from "../registry/bench-case.js";
import type { CaseJob, CaseMeasurement } from "./case-measurement.js";
import { measureCase } from "./measure-case.js";

const WORKER = fileURLToPath(new URL("./case-worker.js", import.meta.url));

type WorkerMessage = { ok: true; measurement: CaseMeasurement } | { ok: false; message: string };

/** Measures one case: in a worker process of its own, or in the runner for external tools. */
export function runCase(
  group: string,
  benchCase: BenchCase,
  context: CaseContext,
  settings: { warmups: number; repetitions: number; timeoutMs: number },
): Promise<CaseMeasurement> {
  if (benchCase.runsIn === "runner") {
    return measureCase(benchCase, context, settings.warmups, settings.repetitions, { trackMemory: false });
  }
  const job: CaseJob = {
    group,
    caseName: benchCase.name,
    size: context.size,
    server: { host: context.server.host, port: context.server.port, url: context.server.url },
    warmups: settings.warmups,
    repetitions: settings.repetitions,
  };
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [JSON.stringify(job)], {
      execArgv: [
        "--expose-gc",
        ...(process.env.BENCH_CPU_PROF_DIR
          ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
          : []),
      ],
      stdio: "inherit",
    });
    let answer: WorkerMessage | undefined;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`"${benchCase.name}" took longer than ${settings.timeoutMs} ms; stopped`));
    }, settings.timeoutMs);
    child.on("message", (message: WorkerMessage) => {
      answer = message;
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (answer?.ok) resolve(answer.measurement);
      else if (answer) reject(new Error(answer.message));
      else
        reject(
          new Error(
            `the worker for "${benchCase.name}" exited (code ${code}, signal ${signal}) without a result`,
          ),
        );
    });
  });
}
