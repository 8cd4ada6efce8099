export {
  MockSink,
  type MockSinkCall,
  type MockSinkOptions,
  type MockWriteOutcome,
  type MockWriteStep,
} from "./mock-sink.js";
export { MockKeyError, MockWriteResult } from "./mock-write-result.js";
export {
  checkSinkConformance,
  defaultConformanceFrame,
  type SinkConformanceCheck,
  type SinkConformanceCheckName,
  type SinkConformanceOptions,
  sinkConformanceChecks,
} from "./sink-conformance.js";
export type { KeyErrorLike, SinkLike, SinkWriteContextLike, WriteResultLike } from "./sink-like.js";
