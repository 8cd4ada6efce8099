import pl from "nodejs-polars";
import { HASH_FIELD_NAMES, hashFieldValues, hashKey } from "../../data/hash-dataset.js";
import { castLikeTheLibrary } from "../hashes-read/handwritten-loop.js";

/**
 * The frame every write case writes: N rows of the benchmark's 10-field hash data set, typed as a reader would
 * produce them (Utf8, Int64, Float64, Boolean, Datetime(ms), Date) plus `_key`. Built before the clock starts.
 */
export function buildWriteFrame(size: number): pl.DataFrame {
  const columns: Record<string, string[]> = { _key: new Array<string>(size) };
  for (const name of HASH_FIELD_NAMES) columns[name] = new Array<string>(size);
  for (let index = 0; index < size; index++) {
    columns._key![index] = hashKey(index);
    const values = hashFieldValues(index);
    for (let field = 0; field < values.length; field += 2)
      columns[values[field]!]![index] = values[field + 1]!;
  }
  return castLikeTheLibrary(pl.DataFrame(columns));
}
