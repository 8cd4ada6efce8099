import pl from "nodejs-polars";

/**
 * The frame the cache cases store: `rows` rows of about 100 bytes as uncompressed Arrow IPC (an Int64 id,
 * nine Float64 measures rounded to cents, a 50-value category, an Int32 quantity), so 100,000 rows ≈ 10 MB,
 * 1,000,000 ≈ 100 MB and 10,000,000 ≈ 1 GB. The values are deterministic and compress the way business data
 * does (repeated categories, limited precision), not like random bytes.
 */
export function buildCacheFrame(rows: number): pl.DataFrame {
  const columns: pl.Series[] = [];
  const ids = new Float64Array(rows);
  for (let i = 0; i < rows; i++) ids[i] = i;
  columns.push(pl.Series("id", ids).cast(pl.Int64));
  let state = 12345;
  for (let m = 0; m < 9; m++) {
    const values = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      values[i] = Math.round((state / 4294967296) * (m + 1) * 100_000) / 100;
    }
    columns.push(pl.Series(`m${m}`, values));
  }
  const categories = Array.from({ length: 50 }, (_, i) => `category-${i}`);
  columns.push(
    pl.Series(
      "category",
      Array.from({ length: rows }, (_, i) => categories[(i * 7) % 50]!),
    ),
  );
  columns.push(
    pl.Series(
      "qty",
      Int32Array.from({ length: rows }, (_, i) => (i * 31) % 1000),
    ),
  );
  return pl.DataFrame(columns);
}
