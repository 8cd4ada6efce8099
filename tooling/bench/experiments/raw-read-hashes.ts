import { connect as connectSocket, type Socket } from "node:net";
import { Redis } from "ioredis";
import pl from "nodejs-polars";
import { byteColumnsToFrame } from "./arrow-frame.js";
import { type HashReplyShape, type KeyPage, RespHashReader } from "./resp-hash-reader.js";

export interface RawReadOptions {
  host: string;
  port: number;
  pattern: string;
  fields: readonly string[];
  shape: HashReplyShape;
  /** SCAN COUNT, and so keys per page of commands. */
  pageSize: number;
  /** Pages of commands written before their replies are all read. */
  pagesInFlight: number;
  /** Rows gathered before they become one Polars frame. */
  frameRows: number;
  /** Applied to every frame (casts); may run in Polars' thread pool while the socket keeps being read. */
  finish?: (frame: pl.DataFrame) => pl.DataFrame | Promise<pl.DataFrame>;
}

/**
 * Prototype of the fast path: keys from SCAN (ioredis), values from a dedicated RESP2 socket decoded straight
 * into byte columns, one Arrow IPC hand-over per `frameRows` rows.
 */
export async function readHashesRaw(options: RawReadOptions): Promise<pl.DataFrame> {
  const redis = new Redis({ host: options.host, port: options.port, lazyConnect: true });
  await redis.connect();
  const socket = await openSocket(options.host, options.port);
  try {
    const reader = new RespHashReader(options.fields, options.shape, options.frameRows + options.pageSize);
    const names = ["_key", ...options.fields];
    const frames: Promise<pl.DataFrame>[] = [];
    let failure: Error | undefined;
    let wake: (() => void) | undefined;

    socket.on("data", (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (error) {
        failure = error as Error;
      }
      wake?.();
    });
    socket.on("error", (error) => {
      failure = error;
      wake?.();
    });

    const waitUntil = async (condition: () => boolean) => {
      while (!condition()) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
      if (failure) throw failure;
    };

    const flushFrame = () => {
      if (reader.rowsRead === 0) return;
      const frame = byteColumnsToFrame(names, [reader.keyColumn, ...reader.columns]);
      frames.push(Promise.resolve(options.finish ? options.finish(frame) : frame));
      reader.resetColumns();
    };

    const encoder = new CommandEncoder(
      options.shape === "hmget" ? "HMGET" : "HGETALL",
      options.shape === "hmget" ? options.fields : [],
    );
    let written = 0;
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", options.pattern, "COUNT", options.pageSize);
      cursor = next;
      if (keys.length === 0) continue;
      const page = encodeKeys(keys);
      reader.expectKeys(page);
      socket.write(encoder.encode(page));
      written += keys.length;
      await waitUntil(() => written - reader.repliesRead <= options.pageSize * (options.pagesInFlight - 1));
      if (reader.rowsRead >= options.frameRows) flushFrame();
    } while (cursor !== "0");
    await waitUntil(() => reader.repliesRead === written);
    flushFrame();
    const finished = await Promise.all(frames);
    if (finished.length === 1) return finished[0]!;
    return pl.concat(finished, { how: "vertical", rechunk: false });
  } finally {
    socket.destroy();
    redis.disconnect();
  }
}

function encodeKeys(keys: string[]): KeyPage {
  const joined = keys.join("");
  const bytes = Buffer.from(joined, "utf8");
  const offsets = new Int32Array(keys.length + 1);
  const ascii = bytes.length === joined.length;
  let at = 0;
  for (let i = 0; i < keys.length; i++) {
    at += ascii ? keys[i]!.length : Buffer.byteLength(keys[i]!);
    offsets[i + 1] = at;
  }
  return { bytes, offsets, count: keys.length };
}

/** Writes `<NAME> <key> [fields...]` for every key of a page into one Buffer, copying bytes, no strings. */
class CommandEncoder {
  private readonly head: Buffer;
  private readonly tail: Buffer;

  constructor(name: string, fields: readonly string[]) {
    this.head = Buffer.from(`*${2 + fields.length}\r\n$${name.length}\r\n${name}\r\n`);
    this.tail = Buffer.from(fields.map((field) => `$${Buffer.byteLength(field)}\r\n${field}\r\n`).join(""));
  }

  encode(page: KeyPage): Buffer {
    const perKey = this.head.length + this.tail.length + 16;
    const out = Buffer.allocUnsafe(page.count * perKey + page.bytes.length);
    const keys = Buffer.from(page.bytes.buffer, page.bytes.byteOffset, page.bytes.byteLength);
    let at = 0;
    for (let i = 0; i < page.count; i++) {
      const start = page.offsets[i]!;
      const end = page.offsets[i + 1]!;
      at += this.head.copy(out, at);
      out[at++] = 36; // '$'
      at += out.write(String(end - start), at, "latin1");
      out[at++] = 13;
      out[at++] = 10;
      at += keys.copy(out, at, start, end);
      out[at++] = 13;
      out[at++] = 10;
      at += this.tail.copy(out, at);
    }
    return out.subarray(0, at);
  }
}

function openSocket(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectSocket(port, host, () => {
      socket.off("error", reject);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}
