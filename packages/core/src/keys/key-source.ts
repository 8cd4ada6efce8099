import pl from "nodejs-polars";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";

/**
 * Where the key utilities take their keys from: a list, a polars Series of strings, or a DataFrame with a
 * key column (a frame read by a scan has one, `_key`).
 */
export type KeySource = readonly string[] | pl.Series | pl.DataFrame;

/** Turns a KeySource into a key list, rejecting nulls and non-strings before anything is sent. */
export function resolveKeys(source: KeySource, keyColumn: string, argument = "keys"): string[] {
  if (pl.DataFrame.isDataFrame(source)) {
    if (!source.columns.includes(keyColumn)) {
      throw new InvalidArgumentError(
        "keyColumn",
        `the frame has no column ${JSON.stringify(keyColumn)}; its columns are ${JSON.stringify(source.columns)}`,
      );
    }
    return checkedKeys(source.getColumn(keyColumn).toArray(), `${argument} (column ${keyColumn})`);
  }
  if (pl.Series.isSeries(source)) return checkedKeys(source.toArray(), argument);
  if (Array.isArray(source)) return checkedKeys(source, argument);
  throw new InvalidArgumentError(argument, "expected an array of keys, a Series or a DataFrame");
}

function checkedKeys(values: readonly unknown[], argument: string): string[] {
  for (let index = 0; index < values.length; index++) {
    if (typeof values[index] !== "string") {
      throw new InvalidArgumentError(
        argument,
        `entry ${index} is ${values[index] === null ? "null" : typeof values[index]}; every key must be a string`,
      );
    }
  }
  return values as string[];
}
