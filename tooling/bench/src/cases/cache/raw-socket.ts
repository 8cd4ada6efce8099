import { connect as connectTcp, type Socket } from "node:net";

/** Redis's byte ceiling for a payload: pipelined SET / GET of its 32 MiB pieces over one raw socket, no client. */
const PIECE = 32 * 1024 * 1024;

function open(target: { host: string; port: number }): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp(target.port, target.host, () => resolve(socket));
    socket.once("error", reject);
  });
}

function pieces(payload: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let offset = 0; offset < payload.length; offset += PIECE)
    out.push(payload.subarray(offset, offset + PIECE));
  return out;
}

/** Writes the payload as SETs of its pieces; resolves with the milliseconds from first byte sent to last +OK. */
export async function rawSet(
  target: { host: string; port: number },
  key: string,
  payload: Buffer,
): Promise<number> {
  const socket = await open(target);
  try {
    const parts = pieces(payload);
    const started = performance.now();
    const replies = new Promise<void>((resolve, reject) => {
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk.toString("latin1");
        if (text.startsWith("-")) reject(new Error(text));
        if (text.split("\r\n").length - 1 >= parts.length) resolve();
      });
    });
    parts.forEach((part, index) => {
      const name = `${key}:${index}`;
      socket.write(`*3\r\n$3\r\nSET\r\n$${name.length}\r\n${name}\r\n$${part.length}\r\n`);
      socket.write(part);
      socket.write("\r\n");
    });
    await replies;
    return performance.now() - started;
  } finally {
    socket.destroy();
  }
}

/** Reads the pieces rawSet wrote with pipelined GETs; resolves with the milliseconds until the last byte. */
export async function rawGet(
  target: { host: string; port: number },
  key: string,
  payloadBytes: number,
): Promise<number> {
  const socket = await open(target);
  try {
    const count = Math.ceil(payloadBytes / PIECE);
    let expected = 0;
    for (let index = 0; index < count; index++) {
      const length = Math.min(PIECE, payloadBytes - index * PIECE);
      expected += `$${length}\r\n`.length + length + 2;
    }
    const started = performance.now();
    const done = new Promise<void>((resolve) => {
      let received = 0;
      socket.on("data", (chunk) => {
        received += chunk.length;
        if (received >= expected) resolve();
      });
    });
    let commands = "";
    for (let index = 0; index < count; index++) {
      const name = `${key}:${index}`;
      commands += `*2\r\n$3\r\nGET\r\n$${name.length}\r\n${name}\r\n`;
    }
    socket.write(commands);
    await done;
    return performance.now() - started;
  } finally {
    socket.destroy();
  }
}
