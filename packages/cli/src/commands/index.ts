import type { CommandSpec } from "../command.js";
import { cacheInfoCommand, cacheLsCommand, cacheRmCommand } from "./cache.js";
import { inferCommand } from "./infer.js";
import { keysCountCommand, keysDeleteCommand, keysTtlCommand } from "./keys.js";
import { scanCommand } from "./scan.js";
import { searchExplainCommand, searchIndexesCommand, searchQueryCommand } from "./search.js";
import {
  dlqListCommand,
  dlqReplayCommand,
  streamsInfoCommand,
  streamsLagCommand,
  streamsPendingCommand,
} from "./streams.js";
import { writeCommand } from "./write.js";

/** Every command, in the order `polars-redis --help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  scanCommand,
  inferCommand,
  writeCommand,
  keysCountCommand,
  keysTtlCommand,
  keysDeleteCommand,
  streamsInfoCommand,
  streamsLagCommand,
  streamsPendingCommand,
  dlqListCommand,
  dlqReplayCommand,
  cacheLsCommand,
  cacheInfoCommand,
  cacheRmCommand,
  searchIndexesCommand,
  searchQueryCommand,
  searchExplainCommand,
];
