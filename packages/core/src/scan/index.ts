export type { OnError } from "./coercion-policy.js";
export type { ColumnBuilder, RawValue } from "./columns/column-builder.js";
export type { ColumnData } from "./columns/column-data.js";
export { type HashScanOptions, readHashes, scanHashes } from "./hashes/scan-hashes.js";
export { keySlot } from "./key-slot.js";
export { type ListScanOptions, readLists, scanLists } from "./lists/scan-lists.js";
export { raceAbort } from "./race-abort.js";
export type { ScanIterable } from "./scan.js";
export type { ScanOptions } from "./scan-options.js";
export type { ScanProgress, ScanReport } from "./scan-report.js";
export { readSets, type SetScanOptions, scanSets } from "./sets/scan-sets.js";
export { readStreams, type StreamScanOptions, scanStreams } from "./streams/scan-streams.js";
export type { StreamLayoutOptions } from "./streams/stream-column-layout.js";
export {
  type StreamEntriesOptions,
  type StreamEntry,
  streamEntriesToFrame,
} from "./streams/stream-entries-to-frame.js";
export { readStrings, type StringScanOptions, scanStrings } from "./strings/scan-strings.js";
export { readZsets, scanZsets, type ZsetScanOptions } from "./zsets/scan-zsets.js";
