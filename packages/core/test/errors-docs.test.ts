import { useRedisConnection } from "@polars-redis/testkit/vitest";
import { describe, expect, it } from "vitest";
import { connect } from "../src/index.js";
import { docExamples, runDocExample } from "./fixtures/doc-examples.js";

/** Runs the ```ts example of docs/errors.md as written, against a real server. */
const examples = docExamples("errors.md");
const redis = useRedisConnection({ connect });

describe("docs/errors.md", () => {
  it("has its example, and it runs as written", async () => {
    expect(examples).toHaveLength(1);
    const output = await runDocExample(examples[0]!, { url: redis.server.url });
    expect(output.log).toEqual([["fix the call: patern"], [true, false]]);
  });
});
