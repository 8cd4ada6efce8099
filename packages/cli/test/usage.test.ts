import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { runCli } from "./fixtures/run-cli.js";

const COMMANDS = [
  "scan",
  "infer",
  "write",
  "keys count",
  "keys ttl",
  "keys delete",
  "streams info",
  "streams lag",
  "streams pending",
  "streams dlq list",
  "streams dlq replay",
];

/** A loopback port nobody listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("command line", () => {
  it("prints the commands and the exit codes for --help", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toContain(command);
    expect(result.stdout).toMatch(/Exit codes:[\s\S]*130/);
  });

  it.each(COMMANDS)("%s --help shows the usage, options and examples", async (command) => {
    const result = await runCli([...command.split(" "), "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: polars-redis ${command}`);
    expect(result.stdout).toContain("Examples:");
    expect(result.stdout).toContain(`polars-redis ${command}`);
    expect(result.stderr).toBe("");
  });

  it("lists a group's subcommands", async () => {
    const result = await runCli(["streams", "dlq", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("streams dlq list");
    expect(result.stdout).toContain("streams dlq replay");
    expect(result.stdout).not.toContain("keys count");
  });

  it("exits 2 for an unknown command, an unknown option or a missing argument", async () => {
    const unknown = await runCli(["scna", "hash", "x"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "scna hash x"');
    const option = await runCli(["keys", "count", "x", "--colour"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("--colour");
    const missing = await runCli(["scan", "hash"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing arguments");
    const type = await runCli(["scan", "hashmap", "x", "--url", "redis://127.0.0.1:1"]);
    expect(type.code).toBe(2);
    expect(type.stderr).toContain("unknown type");
  });

  it("exits 2 without a server rather than picking one", async () => {
    const result = await runCli(["keys", "count", "*"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("pass --url");
  });

  it("exits 2 for a URL it cannot parse, and 3 for a server it cannot reach", async () => {
    const scheme = await runCli(["keys", "count", "*", "--url", "http://127.0.0.1:1"]);
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toContain("redis://");
    const port = await closedPort();
    const refused = await runCli(["keys", "count", "*", "--url", `redis://127.0.0.1:${port}`]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`127.0.0.1:${port}`);
    expect(refused.stdout).toBe("");
    // Options may come before the command words.
    const before = await runCli(["--url", `redis://127.0.0.1:${port}`, "keys", "count", "*"]);
    expect(before.code).toBe(3);
  });

  it("rejects bad option values before connecting (exit 2 even when the server is unreachable)", async () => {
    const port = await closedPort();
    const url = `redis://127.0.0.1:${port}`;
    const where = await runCli(["scan", "hash", "user:*", "--where", "age >", "--url", url]);
    expect(where.code).toBe(2);
    expect(where.stderr).toContain("not a valid SQL predicate");
    const limit = await runCli(["scan", "hash", "user:*", "--limit", "-3", "--url", url]);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain("--limit");
    const format = await runCli(["scan", "hash", "user:*", "-o", "out.xlsx", "--url", url]);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("cannot tell the format");
    const schema = await runCli(["scan", "set", "s:*", "--schema", "x.json", "--url", url]);
    expect(schema.code).toBe(2);
    const remove = await runCli(["keys", "delete", "*", "--url", url]);
    expect(remove.code).toBe(2);
    expect(remove.stderr).toContain("without --yes");
  });
});
