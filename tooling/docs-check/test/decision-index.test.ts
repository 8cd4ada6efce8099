import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script, run by node directly as well
import { decisionRecords, documentedDecisionIndex, renderDecisionIndex } from "../src/decision-index.mjs";

describe("docs/decisions/README.md", () => {
  it("lists every decision record with its title and status", () => {
    expect(documentedDecisionIndex().block).toBe(renderDecisionIndex());
  });

  it("numbers records uniquely", () => {
    const numbers = decisionRecords().map((record: { name: string }) => record.name.slice(0, 4));
    expect(new Set(numbers).size).toBe(numbers.length);
  });
});
