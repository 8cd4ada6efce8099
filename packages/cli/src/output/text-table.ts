/** A plain aligned text table (for summaries; data frames use Polars' own table format). */
export function renderRows(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

/** `key: value` lines, keys aligned. */
export function renderPairs(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([key]) => key.length)) + 1;
  // An empty key continues the previous entry on a new line.
  return `${pairs.map(([key, value]) => `${(key === "" ? "" : `${key}:`).padEnd(width + 1)}${value}`).join("\n")}\n`;
}
