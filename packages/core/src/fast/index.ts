export type { ArrowColumn } from "./arrow-frame.js";
export { arrowColumnsToFrame } from "./arrow-frame.js";
export { ByteColumn } from "./byte-column.js";
export { byteColumnToArrow, type InvalidValueHandler } from "./byte-column-to-arrow.js";
export { CommandPipe } from "./command-pipe.js";
export { commandPipeFor, offersCommandPipe } from "./command-pipe-pool.js";
export { encodeCommands } from "./encode-commands.js";
export { HashCommandEncoder } from "./hash-command-encoder.js";
export { type KeyPage, toKeyPage } from "./key-page.js";
export { openRawChannel, type RawChannel, type RawEndpoint } from "./raw-channel.js";
export {
  emptyFastHashReport,
  type FastHashField,
  type FastHashReadOptions,
  type FastHashReport,
  readHashFrames,
} from "./read-hash-frames.js";
export { type ReplyError, RespHashDecoder } from "./resp-hash-decoder.js";
export { RespErrorReply, RespReplyReader, type RespValue } from "./resp-reply-reader.js";
