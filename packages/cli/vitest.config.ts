import { redisTestConfig } from "../../tooling/vitest-preset/preset.ts";

// The tests run the built binary (dist/bin.js) as a child process: global-setup checks it is built.
export default redisTestConfig({ globalSetup: ["test/global-setup.ts"] });
