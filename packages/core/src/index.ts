export type { CheckpointStore } from "./checkpoint/checkpoint-store.js";
export * from "./connection/index.js";
export * from "./errors/index.js";
export {
  type ArrowColumn,
  arrowColumnsToFrame,
  ByteColumn,
  byteColumnToArrow,
  CommandPipe,
  commandPipeFor,
  encodeCommands,
  offersCommandPipe,
  openRawChannel,
  type RawChannel,
  type RawEndpoint,
  RespErrorReply,
  RespReplyReader,
  type RespValue,
} from "./fast/index.js";
export * from "./infer/index.js";
export * from "./keys/index.js";
export * from "./retry/index.js";
export * from "./scan/index.js";
export * from "./scan/json/index.js";
export * from "./scan/timeseries/index.js";
export * from "./schema/index.js";
export * from "./sink/index.js";
