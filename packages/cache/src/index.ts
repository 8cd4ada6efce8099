export { cacheTable, getCachedTable } from "./arrow.js";
export {
  type CachedFunction,
  type CachedOptions,
  cached,
} from "./cached.js";
export {
  type CacheCompression,
  type CacheFormat,
  COMPRESSIONS,
  type IpcCompression,
  type ParquetCompression,
} from "./codec.js";
export {
  type CacheInfo,
  type CacheReadOptions,
  type CacheWriteOptions,
  cacheDataFrame,
  cacheExists,
  cacheInfo,
  cacheTtl,
  deleteCached,
  getCachedDataFrame,
  type ListCachedOptions,
  listCached,
} from "./frame-cache.js";
export { hashArguments } from "./hash-arguments.js";
