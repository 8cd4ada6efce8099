import { describe, expect, it } from "vitest";
import {
  InvalidArgumentError,
  PolarsRedisError,
  RedisCommandError,
  RedisConnectionError,
  SchemaMismatchError,
} from "../src/index.js";
import { redisCodeOf } from "../src/internal.js";

describe("error family", () => {
  it("recognises errors by marker, across copies of the package", () => {
    // What another installed copy of core would create: same Symbol.for markers, different classes.
    const foreign = Object.assign(new Error("x"), {
      [Symbol.for("polars-redis.error")]: true,
      [Symbol.for("polars-redis.error.command")]: true,
    });
    expect(PolarsRedisError.isInstance(foreign)).toBe(true);
    expect(RedisCommandError.isInstance(foreign)).toBe(true);
    expect(RedisConnectionError.isInstance(foreign)).toBe(false);
    expect(PolarsRedisError.isInstance(new Error("plain"))).toBe(false);
    expect(PolarsRedisError.isInstance(null)).toBe(false);
  });

  it("classifies Redis codes as retryable or not", () => {
    const oom = new RedisCommandError({
      message: "OOM command not allowed when used memory > 'maxmemory'.",
      command: "set",
    });
    expect(oom.redisCode).toBe("OOM");
    expect(oom.retryable).toBe(true);
    expect(oom.command).toBe("SET");
    const wrongType = new RedisCommandError({
      message: "WRONGTYPE Operation against a key",
      command: "hset",
    });
    expect(wrongType.retryable).toBe(false);
    expect(redisCodeOf("LOADING Redis is loading the dataset in memory")).toBe("LOADING");
    expect(redisCodeOf("weird lower-case message")).toBe("ERR");
  });

  it("names key, field, value and dtype in a schema mismatch", () => {
    const error = new SchemaMismatchError({
      key: "user:1",
      field: "age",
      rawValue: "abc",
      expected: "Int64",
    });
    expect(error.message).toContain("user:1");
    expect(error.message).toContain("age");
    expect(error.message).toContain("abc");
    expect(error.message).toContain("Int64");
    expect(error.code).toBe("SCHEMA_MISMATCH");
    expect(new InvalidArgumentError("ttl", "must be >= 0").message).toBe("ttl: must be >= 0");
  });
});
