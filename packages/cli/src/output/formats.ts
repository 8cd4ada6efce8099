export const FORMATS = ["table", "csv", "ndjson", "parquet", "ipc"] as const;
export type Format = (typeof FORMATS)[number];

/** The format a file name implies (`-o users.parquet`), or undefined. */
export function formatOfPath(path: string): Format | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl")) return "ndjson";
  if (lower.endsWith(".parquet") || lower.endsWith(".pq")) return "parquet";
  if (lower.endsWith(".ipc") || lower.endsWith(".arrow") || lower.endsWith(".feather")) return "ipc";
  return undefined;
}
