export type { Sink, SinkWriteContext } from "./sink.js";
export { type KeyError, WriteResult } from "./write-result.js";
