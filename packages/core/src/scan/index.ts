export type { OnError } from "./coercion-policy.js";
export type { ColumnBuilder, RawValue } from "./columns/column-builder.js";
export type { ColumnData } from "./columns/column-data.js";
export { type HashScanOptions, readHashes, scanHashes } from "./hashes/scan-hashes.js";
export type { ScanIterable } from "./scan.js";
export type { ScanOptions } from "./scan-options.js";
export type { ScanProgress, ScanReport } from "./scan-report.js";
