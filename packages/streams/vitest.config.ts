import { redisTestConfig } from "../../tooling/vitest-preset/preset.ts";

// Real redis-server processes: see the preset.
export default redisTestConfig();
