import { describe, expect, it } from "vitest";
import {
  parseBoolean,
  parseDate,
  parseDatetime,
  parseFloat64,
  parseInstant,
  parseInt32,
  parseInt64,
} from "../src/internal.js";

describe("parseInt64", () => {
  it("reads signed decimal integers across the whole Int64 range", () => {
    expect(parseInt64("0")).toBe(0);
    expect(parseInt64("-42")).toBe(-42);
    expect(parseInt64("+7")).toBe(7);
    expect(parseInt64("007")).toBe(7);
    expect(parseInt64("9007199254740991")).toBe(9007199254740991);
    expect(parseInt64("9007199254740993")).toBe(9007199254740993n);
    expect(parseInt64("9223372036854775807")).toBe(9223372036854775807n);
    expect(parseInt64("-9223372036854775808")).toBe(-9223372036854775808n);
  });
  it("reads an integral decimal as that integer (how Polars writes an integral Float64; decision 0162)", () => {
    expect(parseInt64("36.0")).toBe(36);
    expect(parseInt64("-3.00")).toBe(-3);
    expect(parseInt64("-0.0")).toBe(0);
    expect(parseInt64("9223372036854775807.0")).toBe(9223372036854775807n);
    expect(parseInt32("2147483647.0")).toBe(2147483647);
    expect(parseInt32("2147483648.0")).toBeUndefined();
  });
  it("refuses everything else", () => {
    for (const text of [
      "",
      "-",
      "+",
      " 1",
      "1 ",
      "1.5",
      "1.",
      ".0",
      "1.0 ",
      "1e3",
      "0x10",
      "1_000",
      "9223372036854775808",
      "abc",
      "١٢",
    ]) {
      expect(parseInt64(text), text).toBeUndefined();
    }
  });
  it("checks the Int32 range", () => {
    expect(parseInt32("2147483647")).toBe(2147483647);
    expect(parseInt32("-2147483648")).toBe(-2147483648);
    expect(parseInt32("2147483648")).toBeUndefined();
  });
});

describe("parseFloat64", () => {
  it("reads decimals, exponents and the special values Redis writes", () => {
    expect(parseFloat64("1.5")).toBe(1.5);
    expect(parseFloat64("-.5")).toBe(-0.5);
    expect(parseFloat64("1e-5")).toBe(1e-5);
    expect(parseFloat64("3.")).toBe(3);
    expect(parseFloat64("inf")).toBe(Number.POSITIVE_INFINITY);
    expect(parseFloat64("-inf")).toBe(Number.NEGATIVE_INFINITY);
    expect(parseFloat64("Infinity")).toBe(Number.POSITIVE_INFINITY);
    expect(parseFloat64("NaN")).toBeNaN();
  });
  it("refuses the empty string and text that Number() would accept by accident", () => {
    for (const text of ["", " ", " 1", "0x10", "1,5", "1e", ".", "--1", "Infinityx"]) {
      expect(parseFloat64(text), text).toBeUndefined();
    }
  });
});

describe("parseBoolean", () => {
  it("reads the usual spellings in any case", () => {
    for (const text of ["true", "True", "TRUE", "1", "yes", "y", "t", "on"])
      expect(parseBoolean(text), text).toBe(true);
    for (const text of ["false", "False", "0", "no", "n", "f", "off"])
      expect(parseBoolean(text), text).toBe(false);
    for (const text of ["", "2", "truthy", "maybe"]) expect(parseBoolean(text), text).toBeUndefined();
  });
});

describe("parseDate", () => {
  it("reads ISO dates as epoch days, checking the calendar", () => {
    expect(parseDate("1970-01-01")).toBe(0);
    expect(parseDate("2024-01-15")).toBe(19737);
    expect(parseDate("2024-02-29")).toBe(19782);
    expect(parseDate("1969-12-31")).toBe(-1);
    expect(parseDate("2023-02-29")).toBeUndefined();
    expect(parseDate("2024-02-30")).toBeUndefined();
    expect(parseDate("2024-13-01")).toBeUndefined();
  });
  it("takes the date of a date-time as written, and integers as epoch days", () => {
    expect(parseDate("2024-01-15T23:30:00-05:00")).toBe(19737);
    expect(parseDate("2024-01-15 10:00")).toBe(19737);
    expect(parseDate("19737")).toBe(19737);
    expect(parseDate("19737", { allowEpochDays: false })).toBeUndefined();
    expect(parseDate("2024-01-15Tnoon")).toBeUndefined();
    expect(parseDate("15/01/2024")).toBeUndefined();
  });
});

describe("parseDatetime", () => {
  const utc = (iso: string) => Date.parse(iso);

  it("applies offsets instead of cutting them off", () => {
    expect(parseDatetime("2024-01-15T10:30:00+02:00", { unit: "ms" })).toBe(utc("2024-01-15T08:30:00Z"));
    expect(parseDatetime("2024-01-15T10:30:00-0530", { unit: "ms" })).toBe(utc("2024-01-15T16:00:00Z"));
    expect(parseDatetime("2024-01-15T10:30:00+02", { unit: "ms" })).toBe(utc("2024-01-15T08:30:00Z"));
    expect(parseDatetime("2024-01-15 10:30:00 UTC", { unit: "ms" })).toBe(utc("2024-01-15T10:30:00Z"));
    expect(parseDatetime("2024-01-15T10:30:00Z", { unit: "ms" })).toBe(utc("2024-01-15T10:30:00Z"));
  });

  it("reads wall-clock times in the column's time zone, or in a [zone] suffix", () => {
    // Paris is UTC+1 in January and UTC+2 in July.
    expect(parseDatetime("2024-01-15T10:30:00", { unit: "ms", timeZone: "Europe/Paris" })).toBe(
      utc("2024-01-15T09:30:00Z"),
    );
    expect(parseDatetime("2024-07-15T10:30:00", { unit: "ms", timeZone: "Europe/Paris" })).toBe(
      utc("2024-07-15T08:30:00Z"),
    );
    expect(parseDatetime("2024-07-15T10:30:00[America/New_York]", { unit: "ms" })).toBe(
      utc("2024-07-15T14:30:00Z"),
    );
    // An explicit offset wins over the column's zone.
    expect(parseDatetime("2024-01-15T10:30:00Z", { unit: "ms", timeZone: "Asia/Tokyo" })).toBe(
      utc("2024-01-15T10:30:00Z"),
    );
    // Without any zone, wall times are UTC.
    expect(parseDatetime("2024-01-15T10:30", { unit: "ms" })).toBe(utc("2024-01-15T10:30:00Z"));
    expect(parseDatetime("2024-01-15", { unit: "ms" })).toBe(utc("2024-01-15T00:00:00Z"));
  });

  it("resolves daylight-saving gaps and overlaps like Temporal's compatible mode", () => {
    // 2024-03-10 02:30 does not exist in New York: read as 03:30 EDT.
    expect(parseDatetime("2024-03-10T02:30:00", { unit: "ms", timeZone: "America/New_York" })).toBe(
      utc("2024-03-10T07:30:00Z"),
    );
    // 2024-11-03 01:30 happens twice: the earlier one (EDT).
    expect(parseDatetime("2024-11-03T01:30:00", { unit: "ms", timeZone: "America/New_York" })).toBe(
      utc("2024-11-03T05:30:00Z"),
    );
  });

  it("keeps sub-millisecond digits in us and ns", () => {
    expect(parseDatetime("2024-01-15T10:30:00.123456Z", { unit: "us" })).toBe(
      utc("2024-01-15T10:30:00.123Z") * 1000 + 456,
    );
    expect(parseDatetime("2024-01-15T10:30:00.123456789Z", { unit: "ns" })).toBe(
      BigInt(utc("2024-01-15T10:30:00.123Z")) * 1_000_000n + 456_789n,
    );
    expect(parseDatetime("2024-01-15T10:30:00,5Z", { unit: "ms" })).toBe(utc("2024-01-15T10:30:00.500Z"));
  });

  it("reads epoch numbers by magnitude: seconds, milliseconds, microseconds, nanoseconds", () => {
    const ms = utc("2023-11-14T22:13:20Z");
    expect(parseDatetime("1700000000", { unit: "ms" })).toBe(ms);
    expect(parseDatetime("1700000000000", { unit: "ms" })).toBe(ms);
    expect(parseDatetime("1700000000000000", { unit: "ms" })).toBe(ms);
    expect(parseDatetime("1700000000000000000", { unit: "ms" })).toBe(ms);
    expect(parseDatetime("1700000000.25", { unit: "ms" })).toBe(ms + 250);
    expect(parseDatetime("-1", { unit: "ms" })).toBe(-1000);
    expect(parseDatetime("1700000000", { unit: "ms", allowEpoch: false })).toBeUndefined();
  });

  it("refuses malformed or impossible date-times", () => {
    for (const text of [
      "",
      "2024-01-15T25:00:00",
      "2024-01-15T10:61",
      "2024-02-30T00:00",
      "2024-01-15T10:30:00+25:00",
      "yesterday",
      "2024-01-15T10:30:00[Mars/Base]",
      "12:30",
    ]) {
      expect(parseInstant(text), text).toBeUndefined();
    }
  });
});
