import type { CaseResult } from "./bench-results.js";

/** Renders rows as a Markdown table, so the same text reads well in a terminal and pastes into docs. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  return [
    line(headers),
    `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`,
    ...rows.map(line),
  ].join("\n");
}

export function formatCount(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

export function formatMegabytes(bytes: number | null): string {
  return bytes === null ? "–" : `${Math.round(bytes / 1024 / 1024)} MB`;
}

function formatRatio(value: number | null, style: "times" | "percent"): string {
  if (value === null) return "–";
  return style === "times" ? `${value.toFixed(2)}×` : `${Math.round(value * 100)}%`;
}

/** The results table: one row per case and size, with the ratio columns the targets are stated in. */
export function formatResultsTable(results: readonly CaseResult[]): string {
  const headers = [
    "size",
    "case",
    "rows/s",
    "median",
    "× loop",
    "% ceiling",
    "client CPU",
    "peak RSS",
    "load",
  ];
  const rows = results.map((result) => [
    formatCount(result.size),
    result.error ? `${result.case} (${result.error.split("\n")[0]})` : result.case,
    result.error && result.samplesMs.length === 0 ? "failed" : formatCount(result.rowsPerSecond),
    result.samplesMs.length === 0 ? "–" : `${(result.medianMs / 1000).toFixed(3)} s`,
    formatRatio(result.vsBaseline, "times"),
    formatRatio(result.vsCeiling, "percent"),
    result.cpuMs === null ? "–" : `${(result.cpuMs / 1000).toFixed(2)} s`,
    formatMegabytes(result.peakRssBytes),
    result.loadAverage.map((load) => load.toFixed(1)).join("→"),
  ]);
  return markdownTable(headers, rows);
}
