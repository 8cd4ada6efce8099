export { type ByteSource, encodeBulk, encodeCommands, RespEncoder } from "./encoder.js";
export {
  DEFAULT_REPLY_TIMEOUT_MS,
  openRawChannel,
  type RawChannel,
  type RawEndpoint,
} from "./raw-channel.js";
export { commandPipeFor, type RawPathUse, takesRawPath } from "./raw-path.js";
export {
  findLineEnd,
  type ReplyDecoder,
  RespErrorReply,
  RespFrameDecoder,
  RespReader,
  type RespValue,
  RespValueDecoder,
  readInteger,
  respValueLength,
  respValueReader,
} from "./reply-reader.js";
export { CommandPipe, RequestPipe, type RequestPipeOptions } from "./request-pipe.js";
