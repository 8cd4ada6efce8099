import { connect } from "node:net";

export interface ProbeOptions {
  /** Give up (not ready) after this long [1000 ms]. */
  timeoutMs?: number;
  /** The server's `requirepass`: sent with AUTH first, so its identity can be checked like any other's. */
  password?: string | undefined;
}

/**
 * One readiness probe on a fresh connection: resolves true when the server on host:port answers PING *and* is
 * the process `pid` (INFO's process_id). The identity check matters: when another test process's redis-server
 * grabbed the port between our probe and our bind, ours exits, and that other server would happily answer PING.
 * False on anything else (refused, -LOADING while the AOF replays, a foreign server, a wrong password, timeout):
 * the caller polls. With `password`, AUTH goes first. Without one, a server that answers -NOAUTH has a password
 * set some other way (an ACL user in the arguments): it is up, but its identity cannot be checked.
 */
export function probeRedisServer(
  host: string,
  port: number,
  pid: number,
  { timeoutMs = 1_000, password }: ProbeOptions = {},
): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host, port });
    let reply = "";
    const finish = (ready: boolean) => {
      socket.destroy();
      resolvePromise(ready);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once("error", () => finish(false));
    socket.once("close", () => finish(false));
    socket.once("connect", () => {
      const auth = password === undefined ? "" : command("AUTH", password);
      socket.write(`${auth}${command("INFO", "server")}${command("PING")}`);
    });
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
      let rest = reply;
      if (password !== undefined) {
        if (!rest.includes("\r\n")) return;
        if (!rest.startsWith("+OK\r\n")) return finish(false); // wrong password: not our server
        rest = rest.slice("+OK\r\n".length);
      }
      if (rest.startsWith("-NOAUTH") && password === undefined) finish(true);
      else if (rest.startsWith("-")) finish(false);
      else if (rest.endsWith("\r\n+PONG\r\n") || /\r\n-[^\r\n]*\r\n$/.test(rest)) {
        finish(rest.includes(`\r\nprocess_id:${pid}\r\n`) && rest.endsWith("+PONG\r\n"));
      }
    });
  });
}

/** A command in RESP (binary-safe, unlike the inline form: a password may hold spaces or quotes). */
function command(...parts: string[]): string {
  return `*${parts.length}\r\n${parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join("")}`;
}
