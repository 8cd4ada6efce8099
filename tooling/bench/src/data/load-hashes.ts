import { connect as connectSocket, type Socket } from "node:net";
import { HASH_FIELD_NAMES, hashFieldValues, hashKey } from "./hash-dataset.js";

export interface LoadTarget {
  host: string;
  port: number;
}

/** Commands per pipelined chunk, and chunks kept in flight while the next one is encoded. */
const CHUNK_COMMANDS = 5_000;
const CHUNKS_IN_FLIGHT = 4;

/**
 * Loads hashes `0 .. count-1` of the benchmark data set with pipelined HSETs written straight to a socket as
 * RESP (no client library): 1M hashes take a few seconds, where one-by-one writes would take minutes.
 */
export async function loadHashes(target: LoadTarget, count: number): Promise<void> {
  const socket = await openSocket(target);
  try {
    const replies = countReplies(socket);
    let sent = 0;
    for (let start = 0; start < count; start += CHUNK_COMMANDS) {
      const end = Math.min(count, start + CHUNK_COMMANDS);
      // Keep at most CHUNKS_IN_FLIGHT chunks unanswered, so memory stays bounded for any count.
      await replies.waitFor(sent - CHUNK_COMMANDS * (CHUNKS_IN_FLIGHT - 1));
      socket.write(encodeHsetChunk(start, end));
      sent += end - start;
    }
    await replies.waitFor(sent);
  } finally {
    socket.destroy();
  }
}

function encodeHsetChunk(start: number, end: number): Buffer {
  const parts: string[] = [];
  const argCount = 2 + HASH_FIELD_NAMES.length * 2;
  for (let index = start; index < end; index++) {
    parts.push(`*${argCount}\r\n$4\r\nHSET\r\n`, bulk(hashKey(index)));
    for (const argument of hashFieldValues(index)) parts.push(bulk(argument));
  }
  return Buffer.from(parts.join(""), "utf8");
}

function bulk(text: string): string {
  return `$${Buffer.byteLength(text, "utf8")}\r\n${text}\r\n`;
}

function openSocket(target: LoadTarget): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectSocket(target.port, target.host, () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/** HSET answers with one integer line per command; count the lines and fail on the first error line. */
function countReplies(socket: Socket) {
  let answered = 0;
  let failure: Error | undefined;
  let pending: { target: number; resolve: () => void; reject: (error: Error) => void } | undefined;
  let lineStart = true;
  const settle = () => {
    if (!pending) return;
    if (failure) pending.reject(failure);
    else if (answered >= pending.target) pending.resolve();
    else return;
    pending = undefined;
  };
  socket.on("data", (chunk: Buffer) => {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (lineStart && byte === 0x2d /* '-' */ && !failure) {
        failure = new Error(
          `HSET failed while loading: ${chunk.subarray(i, chunk.indexOf(13, i)).toString()}`,
        );
      }
      lineStart = byte === 0x0a;
      if (lineStart) answered++;
    }
    settle();
  });
  socket.on("error", (error) => {
    failure = error;
    settle();
  });
  socket.on("close", () => {
    failure ??= new Error("the connection closed while loading the benchmark data");
    settle();
  });
  return {
    waitFor(target: number): Promise<void> {
      if (failure) return Promise.reject(failure);
      if (answered >= target) return Promise.resolve();
      return new Promise((resolve, reject) => {
        pending = { target, resolve, reject };
      });
    },
  };
}
