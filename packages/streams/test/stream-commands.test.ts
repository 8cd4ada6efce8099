import { describe, expect, it } from "vitest";
import { XAUTOCLAIM } from "../src/consumer/commands/xautoclaim.js";
import { missingIds, XCLAIM } from "../src/consumer/commands/xclaim.js";
import { pageAfter, XPENDING } from "../src/consumer/commands/xpending.js";

// The consumer's XPENDING / XCLAIM / XAUTOCLAIM arguments and reply parsing, without a server. Replies are in
// the shapes of the Redis command reference (and of what ioredis returns for them).

describe("XPENDING", () => {
  it("builds the extended form, with the optional IDLE and consumer", () => {
    expect(XPENDING.transformArguments("s", "g", { start: "-", end: "+", count: 100 })).toEqual([
      "XPENDING",
      "s",
      "g",
      "-",
      "+",
      100,
    ]);
    expect(
      XPENDING.transformArguments("s", "g", {
        start: pageAfter("1-5"),
        end: "+",
        count: 10,
        consumer: "c1",
        minIdleMs: 5000,
      }),
    ).toEqual(["XPENDING", "s", "g", "IDLE", 5000, "(1-5", "+", 10, "c1"]);
    expect(pageAfter(undefined)).toBe("-");
  });

  it("parses rows of id, consumer, idle time and delivery count", () => {
    expect(
      XPENDING.transformReply([
        ["1526569498055-0", "Bob", 74170458, 1],
        ["1526569506935-0", "Bob", "74170458", "3"],
      ]),
    ).toEqual([
      { id: "1526569498055-0", consumer: "Bob", idleMs: 74170458, deliveries: 1 },
      { id: "1526569506935-0", consumer: "Bob", idleMs: 74170458, deliveries: 3 },
    ]);
    expect(XPENDING.transformReply([])).toEqual([]);
    expect(XPENDING.transformReply(null)).toEqual([]);
  });
});

describe("XCLAIM", () => {
  it("builds the command, min-idle floored at 0, JUSTID when asked", () => {
    expect(XCLAIM.transformArguments("s", "g", "c", 3600.7, ["1-1", "1-2"])).toEqual([
      "XCLAIM",
      "s",
      "g",
      "c",
      3600,
      "1-1",
      "1-2",
    ]);
    expect(XCLAIM.transformArguments("s", "g", "c", -5, ["1-1"], { justId: true })).toEqual([
      "XCLAIM",
      "s",
      "g",
      "c",
      0,
      "1-1",
      "JUSTID",
    ]);
  });

  it("parses claimed entries with their fields, leaving out deleted ones (nil fields)", () => {
    const entries = XCLAIM.transformReply("s", [
      ["1526569498055-0", ["message", "orange"]],
      ["1526569498056-0", null],
    ]);
    expect(entries).toEqual([{ stream: "s", id: "1526569498055-0", fields: ["message", "orange"] }]);
    expect(XCLAIM.transformJustIdReply(["1-1", "1-2"])).toEqual(["1-1", "1-2"]);
    expect(XCLAIM.transformJustIdReply(null)).toEqual([]);
  });

  it("names the ids a reply left out", () => {
    expect(missingIds(["1-1", "1-2", "1-3"], [{ id: "1-2" }])).toEqual(["1-1", "1-3"]);
    expect(missingIds(["1-1"], [{ id: "1-1" }])).toEqual([]);
  });
});

describe("XAUTOCLAIM", () => {
  it("builds the JUSTID form with a cursor and a count", () => {
    expect(XAUTOCLAIM.transformArguments("s", "g", "c", 30000, "0-0", 25)).toEqual([
      "XAUTOCLAIM",
      "s",
      "g",
      "c",
      30000,
      "0-0",
      "COUNT",
      25,
      "JUSTID",
    ]);
  });

  it("parses the cursor, the claimed ids and (Redis 7) the deleted ids", () => {
    expect(XAUTOCLAIM.transformReply(["0-0", ["1609338752495-0"], ["1609338752499-0"]])).toEqual({
      cursor: "0-0",
      claimedIds: ["1609338752495-0"],
      deletedIds: ["1609338752499-0"],
    });
    // Redis 6.2: no deleted-ids element.
    expect(XAUTOCLAIM.transformReply(["1609338752495-1", ["1609338752495-0"]])).toEqual({
      cursor: "1609338752495-1",
      claimedIds: ["1609338752495-0"],
      deletedIds: [],
    });
  });
});
