#!/usr/bin/env node
import { main } from "./main.js";

// Ctrl-C (SIGINT) or SIGTERM: abort the running command, which stops its scan or write cleanly (nothing
// half-written) and exits 130 (143 for SIGTERM). A second Ctrl-C exits at once.
const controller = new AbortController();
const onSignal = (name: "SIGINT" | "SIGTERM"): void => {
  if (controller.signal.aborted) process.exit(name === "SIGTERM" ? 143 : 130);
  process.stderr.write(`\npolars-redis: ${name} received, stopping (again to exit at once)\n`);
  controller.abort(name);
};
process.on("SIGINT", () => onSignal("SIGINT"));
process.on("SIGTERM", () => onSignal("SIGTERM"));

const code = await main(process.argv.slice(2), { signal: controller.signal });
process.exit(code);
