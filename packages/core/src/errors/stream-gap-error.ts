import { hasMarker, PolarsRedisError } from "./polars-redis-error.js";

const marker = "polars-redis.error.stream-gap";
const symbol = Symbol.for(marker);

/** A stream was trimmed past a reader's position: entries between `lastSeenId` and `firstAvailableId` are gone. */
export class StreamGapError extends PolarsRedisError {
  protected readonly [symbol] = true;
  readonly stream: string;
  readonly lastSeenId: string;
  readonly firstAvailableId: string;

  constructor(options: {
    stream: string;
    lastSeenId: string;
    firstAvailableId: string;
    message?: string | undefined;
  }) {
    super({
      code: "STREAM_GAP",
      message:
        options.message ??
        `stream ${JSON.stringify(options.stream)} was trimmed past ${options.lastSeenId}; the oldest entry left is ${options.firstAvailableId}`,
    });
    this.name = "StreamGapError";
    this.stream = options.stream;
    this.lastSeenId = options.lastSeenId;
    this.firstAvailableId = options.firstAvailableId;
  }

  static override isInstance(error: unknown): error is StreamGapError {
    return hasMarker(error, marker);
  }
}
