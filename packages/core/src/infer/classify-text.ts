import { parseBoolean } from "../schema/parse/parse-boolean.js";
import { parseDate } from "../schema/parse/parse-date.js";
import { ISO_DATETIME, parseInstant } from "../schema/parse/parse-datetime.js";
import { parseFloat64 } from "../schema/parse/parse-float.js";
import { parseInt64 } from "../schema/parse/parse-integer.js";

/** What one text value could be read as, judged by the very parsers the scans use. */
export interface TextTraits {
  boolean: boolean;
  /** A boolean word other than 0/1 (true, yes, t, on, ...): evidence of a flag, not a number. */
  booleanWord: boolean;
  int64: boolean;
  float64: boolean;
  /** A bare ISO calendar date (YYYY-MM-DD). */
  date: boolean;
  /** An ISO date or date-time the Datetime parser accepts. */
  datetime: boolean;
  /** With `datetime`: it carries an offset or zone (Z, +02:00, [Europe/Paris]). */
  datetimeWithZone: boolean;
  /** With `datetime`: digits of its fraction of a second. */
  fractionDigits: number;
}

/** Integers written with a leading zero ("007", "02134") are codes: reading them as numbers loses the zeros. */
const LEADING_ZERO = /^[+-]?0\d/;
const INTEGER_SYNTAX = /^[+-]?\d+$/;

/**
 * Classifies a text value for inference. Epoch numbers are not taken as dates (they stay numbers), and an
 * integer too large for Int64 is not taken as Float64 (it would lose digits).
 */
export function classifyText(text: string): TextTraits {
  const code = LEADING_ZERO.test(text);
  const int64 = !code && parseInt64(text) !== undefined;
  const float64 = !code && parseFloat64(text) !== undefined && (int64 || !INTEGER_SYNTAX.test(text));
  const bool = parseBoolean(text) !== undefined;
  const traits: TextTraits = {
    boolean: bool,
    booleanWord: bool && text !== "0" && text !== "1",
    int64,
    float64,
    date: false,
    datetime: false,
    datetimeWithZone: false,
    fractionDigits: 0,
  };
  const iso = text.length >= 10 && !int64 && !float64 ? ISO_DATETIME.exec(text) : null;
  if (iso && parseInstant(text, { allowEpoch: false }) !== undefined) {
    traits.datetime = true;
    traits.datetimeWithZone = iso[8] !== undefined || iso[9] !== undefined;
    traits.fractionDigits = iso[7]?.length ?? 0;
    traits.date =
      iso[4] === undefined &&
      !traits.datetimeWithZone &&
      parseDate(text, { allowEpochDays: false }) !== undefined;
  }
  return traits;
}
