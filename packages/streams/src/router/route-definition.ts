import type { Sink } from "@polars-redis/core";
import type { DataFrame, Expr } from "nodejs-polars";

/** One destination of a router: which rows go there, how they are shaped, and the sink that writes them. */
export interface RouteDefinition {
  /** Unique among the routes; names the route in stats, events and dead-letter records. */
  name: string;
  /** The rows this route takes, as a Polars expression over the batch's columns. [every row] */
  filter?: Expr | undefined;
  /**
   * Reshapes the selected rows before writing (derive `_key`, rename, compute, keep the last change per key).
   * Sees the metadata columns. When it keeps rows one to one, the sink gets each row's source entry id as
   * `rowIds` (stream sinks derive replay-safe ids from them); when it drops or merges rows, it does not.
   */
  transform?: ((frame: DataFrame) => DataFrame | Promise<DataFrame>) | undefined;
  /** Where the rows go. Must be idempotent: a batch may be written again after a failure or a crash. */
  sink: Sink;
  /** Keep the metadata columns (`_stream`, `_id`, `_ts`, `_seq`) in what the sink receives. [false] */
  keepMetadata?: boolean | undefined;
}
