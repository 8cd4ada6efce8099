import { redisTestConfig } from "../../tooling/vitest-preset/preset.ts";

// Real 3- and 6-node clusters: longer hooks, and files one after another so two clusters never compete for
// the machine's cores.
export default redisTestConfig({ hookTimeout: 180_000, fileParallelism: false });
