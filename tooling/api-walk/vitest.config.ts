import { redisTestConfig } from "../vitest-preset/preset.ts";

// One redis-server behind one fault proxy; the rows run one after another (bytes are counted between calls).
export default redisTestConfig({ fileParallelism: false });
