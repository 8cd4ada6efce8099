import { connect } from "node:net";

/**
 * One readiness probe on a fresh connection: resolves true when the server on host:port answers PING *and* is
 * the process `pid` (INFO's process_id). The identity check matters: when another test process's redis-server
 * grabbed the port between our probe and our bind, ours exits, and that other server would happily answer PING.
 * False on anything else (refused, -LOADING while the AOF replays, a foreign server, timeout): the caller polls.
 * A server started with --requirepass answers -NOAUTH: it is up, but its identity cannot be checked.
 */
export function probeRedisServer(
  host: string,
  port: number,
  pid: number,
  timeoutMs = 1_000,
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
    socket.once("connect", () => socket.write("INFO server\r\nPING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
      if (reply.startsWith("-NOAUTH")) finish(true);
      else if (reply.startsWith("-")) finish(false);
      else if (reply.endsWith("\r\n+PONG\r\n") || /\r\n-[^\r\n]*\r\n$/.test(reply)) {
        finish(reply.includes(`\r\nprocess_id:${pid}\r\n`) && reply.endsWith("+PONG\r\n"));
      }
    });
  });
}
