export {
  type ChangeEventColumns,
  type ChangeOperation,
  type GenerateChangeEventsOptions,
  type GeneratedChangeEvents,
  generateChangeEvents,
} from "./generate-change-events.js";
export {
  type CollectionOptions,
  type GeneratedLists,
  type GeneratedSets,
  type GeneratedSortedSets,
  generateLists,
  generateSets,
  generateSortedSets,
} from "./generate-collections.js";
export {
  type GeneratedHashes,
  type GenerateHashesOptions,
  generateHashes,
  HASH_SCHEMA,
  type HashColumns,
  type HashField,
} from "./generate-hashes.js";
export {
  type GeneratedJsonDocuments,
  type GenerateJsonDocumentsOptions,
  generateJsonDocuments,
  type JsonDocument,
} from "./generate-json-documents.js";
export {
  type GeneratedTimeSeries,
  type GenerateTimeSeriesOptions,
  generateTimeSeries,
} from "./generate-time-series.js";
export {
  type LoadOptions,
  type LoadTarget,
  loadChangeEvents,
  loadHashes,
  loadJsonDocuments,
  loadLists,
  loadSets,
  loadSortedSets,
  loadTimeSeries,
} from "./load-data.js";
export { type Seed, SeededRandom } from "./seeded-random.js";
export { uniqueKeyPrefix, uniqueStreamName } from "./unique-key-prefix.js";
