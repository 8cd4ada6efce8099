import { describe, expect, it } from "vitest";
import { type BatchReply, RedisCommandError } from "../src/index.js";
import { replyAt } from "../src/internal.js";

describe("replyAt", () => {
  it("gives a batch's reply to one command, null and errors included", () => {
    const error = new RedisCommandError({ message: "WRONGTYPE wrong kind of value", command: "GET" });
    const replies: BatchReply[] = ["OK", null, error];
    expect(replyAt(replies, 0)).toBe("OK");
    expect(replyAt(replies, 1)).toBeNull();
    expect(replyAt(replies, 2)).toBe(error);
  });

  it("says which reply a connection left out instead of reading undefined as a reply", () => {
    expect(() => replyAt(["OK"], 1)).toThrow(
      "RedisConnection.batch answered 1 replies, no reply for command #1: a connection must answer one reply per command",
    );
  });
});
