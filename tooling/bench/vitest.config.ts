import { redisTestConfig } from "../vitest-preset/preset.ts";

// Real redis-server processes: see the preset.
export default redisTestConfig();
