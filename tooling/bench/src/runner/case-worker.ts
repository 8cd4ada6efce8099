/**
 * Child-process entry: runs one case (warm-ups + repetitions) and sends its measurement to the runner. A fresh
 * process per case keeps heaps apart and makes its peak RSS (VmHWM) that of the case alone.
 */
import { findCase } from "../registry/case-registry.js";
import type { CaseJob } from "./case-measurement.js";
import { measureCase } from "./measure-case.js";

const job = JSON.parse(process.argv[2] ?? "") as CaseJob;
try {
  const benchCase = findCase(job.group, job.caseName);
  const measurement = await measureCase(
    benchCase,
    { server: job.server, size: job.size },
    job.warmups,
    job.repetitions,
    { trackMemory: true },
  );
  process.send?.({ ok: true, measurement });
} catch (error) {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.send?.({ ok: false, message });
}
process.disconnect?.();
