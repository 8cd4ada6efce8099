import { respValueLength } from "@polars-redis/core/internal";
import { describe, expect, it } from "vitest";
import { commandElements, commandName, firstArgumentRange } from "../src/raw/resp-framing.js";

const REPLIES = [
  "+OK\r\n",
  "-MOVED 3999 127.0.0.1:6381\r\n",
  ":-42\r\n",
  "$-1\r\n",
  "$0\r\n\r\n",
  "$5\r\nhe\r\no\r\n", // a bulk string may hold CR LF
  "*-1\r\n",
  "*0\r\n",
  "*4\r\n$4\r\nname\r\n$3\r\nAda\r\n$3\r\nage\r\n$2\r\n36\r\n",
  "*2\r\n*2\r\n$15\r\n1700000000000-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*1\r\n:7\r\n",
  "*3\r\n$1\r\na\r\n$-1\r\n-ERR inside\r\n",
];

// The raw channel frames replies with core's respValueLength: these are the replies it must frame.
describe("respValueLength", () => {
  it("frames every kind of RESP2 reply exactly, and says -1 for every incomplete prefix", () => {
    for (const reply of REPLIES) {
      const bytes = Buffer.from(reply, "latin1");
      for (let cut = 0; cut < bytes.length; cut++) {
        expect(respValueLength(bytes.subarray(0, cut), 0), `${JSON.stringify(reply)} cut at ${cut}`).toBe(-1);
      }
      expect(respValueLength(bytes, 0), JSON.stringify(reply)).toBe(bytes.length);
    }
  });

  it("frames replies back to back from any offset", () => {
    const stream = Buffer.from(REPLIES.join(""), "latin1");
    let at = 0;
    for (const reply of REPLIES) {
      const length = respValueLength(stream, at);
      expect(stream.toString("latin1", at, at + length)).toBe(reply);
      at += length;
    }
    expect(at).toBe(stream.length);
  });

  it("rejects bytes that are not RESP", () => {
    expect(() => respValueLength(Buffer.from("hello\r\n"), 0)).toThrow(/not a RESP2 reply/);
  });
});

describe("command framing", () => {
  const command = Buffer.from("*4\r\n$5\r\nHMGET\r\n$7\r\nuser:42\r\n$4\r\nname\r\n$0\r\n\r\n");

  it("finds the name, the first argument and every element without copying", () => {
    expect(commandName(command).toString()).toBe("HMGET");
    const [start, end] = firstArgumentRange(command)!;
    expect(command.toString("latin1", start, end)).toBe("user:42");
    expect(commandElements(command).map((element) => element.toString())).toEqual([
      "HMGET",
      "user:42",
      "name",
      "",
    ]);
    expect(firstArgumentRange(Buffer.from("*1\r\n$4\r\nPING\r\n"))).toBeUndefined();
  });
});
