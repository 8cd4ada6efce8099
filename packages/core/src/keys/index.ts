export { type DeleteKeysOptions, deleteKeys } from "./delete-keys.js";
export {
  type DeleteKeysMatchingOptions,
  type DeleteMatchingResult,
  deleteKeysMatching,
} from "./delete-keys-matching.js";
export type { DeleteResult } from "./delete-result.js";
export { existsKeys } from "./exists-keys.js";
export { type KeyInfoOptions, keyInfo, scanKeyInfo } from "./key-info.js";
export type { KeyCommandOptions, KeySourceOptions } from "./key-options.js";
export type { KeySource } from "./key-source.js";
export type { KeyUpdateResult } from "./key-update-result.js";
export { persistKeys } from "./persist-keys.js";
export { type RenameKeysOptions, type RenameMapping, type RenameResult, renameKeys } from "./rename-keys.js";
export { type SetTtlOptions, setTtl, type TtlSpec } from "./set-ttl.js";
export { type TtlKeysOptions, ttlKeys } from "./ttl-keys.js";
