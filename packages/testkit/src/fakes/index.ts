export {
  type FakeTimeSeries,
  InMemoryModules,
  type InMemoryModulesOptions,
  type ScriptModel,
  type SeedTimeSeries,
} from "./in-memory-modules.js";
export {
  errorReply,
  RecordingConnection,
  type RecordingConnectionOptions,
  type Responder,
} from "./recording-connection.js";
