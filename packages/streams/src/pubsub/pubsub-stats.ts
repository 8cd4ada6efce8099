export interface PubSubStats {
  /** Messages received from Redis. */
  received: number;
  /** Messages handed out in frames. */
  delivered: number;
  /** Messages dropped because the buffer was full (see `overflow`). */
  dropped: number;
  /** Payloads that were not JSON objects (or that `parse` rejected), delivered as null rows with onError "null". */
  malformed: number;
  /** Values that did not fit their dtype and became null. */
  nulled: number;
  /** Connection losses: messages published while disconnected are lost (Pub/Sub keeps nothing). */
  reconnects: number;
  /** Messages waiting in the buffer now. */
  buffered: number;
}
