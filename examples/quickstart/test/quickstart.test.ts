import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);

it("writes, infers and reads back against its own redis-server and checks its totals", async () => {
  const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
  const { stdout } = await run(process.execPath, [main], {
    env: { ...process.env, QUICKSTART_ORDERS: "3000" },
  });
  expect(stdout).toContain("wrote 3000 hashes (0 failed)");
  expect(stdout).toMatch(/region: Utf8/);
  expect(stdout).toContain("read 3000 orders");
  expect(stdout).toContain("quickstart: OK");
});
