import type { SinkLike, SinkWriteContextLike, WriteResultLike } from "@polars-redis/testkit";
import { describe, expect, it } from "vitest";
import { RedisCommandError, type Sink, type SinkWriteContext, WriteResult } from "../src/index.js";

// testkit's sink mock and conformance checks are typed structurally (only the members they use). These
// assignments are the compile-time proof that core's types fit; `pnpm typecheck` fails if not.
describe("core's sink types fit testkit's structural ones", () => {
  it("assigns Sink, WriteResult and SinkWriteContext to their testkit counterparts", async () => {
    const result = new WriteResult({
      written: 1,
      errors: new Map([["k", new RedisCommandError({ message: "OOM no memory", command: "hset" })]]),
    });
    const sink: Sink = { name: "recording", write: async () => result };
    const context: SinkWriteContext = { signal: new AbortController().signal, attempt: 1 };

    const likeSink: SinkLike = sink;
    const likeResult: WriteResultLike = result;
    const likeContext: SinkWriteContextLike = context;

    expect(likeSink.name).toBe("recording");
    expect(likeResult.failedKeys()).toEqual(["k"]);
    expect(likeResult.errors.get("k")?.retryable).toBe(true);
    expect(likeContext.attempt).toBe(1);
  });
});
