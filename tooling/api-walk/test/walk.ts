import { PolarsRedisError, type RedisConnection } from "@polars-redis/core";
import type { FaultProxy } from "@polars-redis/testkit";
import type { DataFrame } from "nodejs-polars";

/** What every row may use: a live connection through the fault proxy, a closed one, a good frame. */
export interface WalkContext {
  /** A connection to the server through the fault proxy (every byte it sends is counted there). */
  readonly conn: RedisConnection;
  /** A connection through the proxy that was opened and then closed by the caller. */
  readonly closed: RedisConnection;
  /** A valid frame: `_key`, `name` (Utf8), `age` (Float64). */
  readonly frame: DataFrame;
  /** The proxy's redis:// URL (for connect() rows: a refused call must not even open a socket). */
  readonly url: string;
  readonly proxy: FaultProxy;
}

/** One wrong call: a label, the call, and the error code it must fail with (INVALID_ARGUMENT by default). */
export interface WrongCall {
  readonly label: string;
  readonly call: () => unknown;
  readonly code?: string;
}

/** A table row: the wrong calls of an export, or why it has none. */
export type Row = { readonly wrong: (context: WalkContext) => WrongCall[] } | { readonly exempt: string };

export type Table = Readonly<Record<string, Readonly<Record<string, Row>>>>;

/** Calls `call` and drives what it returns far enough to run: awaits a promise, takes one step of an async iterable. */
export async function settle(call: () => unknown, made?: { value?: unknown }): Promise<unknown> {
  const result = call();
  if (made) made.value = result;
  if (result !== null && typeof result === "object") {
    if (typeof (result as Promise<unknown>).then === "function") return await result;
    const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator];
    if (typeof iterator === "function") {
      const it = iterator.call(result);
      try {
        await it.next();
      } finally {
        await it.return?.();
      }
    }
  }
  return result;
}

/** The error a wrong call produced, or a description of what went wrong instead. */
export async function failureOf(call: () => unknown): Promise<{ error?: unknown; problem?: string }> {
  let timer: NodeJS.Timeout | undefined;
  // A wrong call that is accepted may start working for good (a consumer blocking on a stream): give up on it.
  const stuck = new Promise<"stuck">((resolve) => {
    timer = setTimeout(() => resolve("stuck"), STUCK_AFTER_MS);
  });
  const made: { value?: unknown } = {};
  try {
    const outcome = await Promise.race([settle(call, made).then(() => "done" as const), stuck]);
    return {
      problem:
        outcome === "stuck" ? `did not fail (still running after ${STUCK_AFTER_MS} ms)` : "did not fail",
    };
  } catch (error) {
    return { error };
  } finally {
    clearTimeout(timer);
    await stopAccepted(made.value);
  }
}

/** Stops what an accepted wrong call started (a consumer, a reader, a subscription), so it sends nothing later. */
async function stopAccepted(value: unknown): Promise<void> {
  if (value === null || typeof value !== "object") return;
  for (const method of ["stop", "close"]) {
    const fn = (value as Record<string, unknown>)[method];
    if (typeof fn !== "function") continue;
    await Promise.race([
      Promise.resolve()
        .then(() => fn.call(value))
        .catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 2000)),
    ]);
    return;
  }
}

/** A wrong call must fail at once; one still running after this long was accepted. */
const STUCK_AFTER_MS = 5000;

export function isTyped(error: unknown, code: string): boolean {
  return PolarsRedisError.isInstance(error) && (error as PolarsRedisError).code === code;
}

const BOGUS = { bogusOptionName: 1 };

/**
 * The standard wrong calls of a function whose first argument is a connection and whose last is an options
 * object: null / URL / swapped (a frame first) connection, an unknown option, a closed connection (unless the
 * function does no I/O when called). `rest` are valid remaining arguments; the options object is the last.
 */
export function connectionFirst(
  fn: (...args: never[]) => unknown,
  rest: (context: WalkContext) => unknown[],
  extra: { closed?: boolean; options?: boolean; more?: (context: WalkContext) => WrongCall[] } = {},
): Row {
  return {
    wrong: (c) => {
      const f = fn as (...args: unknown[]) => unknown;
      const args = rest(c);
      const calls: WrongCall[] = [
        { label: "null connection", call: () => f(null, ...args) },
        { label: "undefined connection", call: () => f(undefined, ...args) },
        { label: "a URL for the connection", call: () => f(c.url, ...args) },
        { label: "swapped: a frame first", call: () => f(c.frame, c.conn, ...args.slice(1)) },
      ];
      if (extra.options !== false) {
        const last = args.length > 0 ? args[args.length - 1] : undefined;
        const base = last !== null && typeof last === "object" && !Array.isArray(last) ? last : {};
        const head = last === base ? args.slice(0, -1) : args;
        calls.push({ label: "unknown option", call: () => f(c.conn, ...head, { ...base, ...BOGUS }) });
      }
      if (extra.closed !== false) {
        calls.push({
          label: "closed connection",
          call: () => f(c.closed, ...args),
          code: "CONNECTION_CLOSED",
        });
      }
      return [...calls, ...(extra.more?.(c) ?? [])];
    },
  };
}

/** Rows of calls given explicitly. */
export function calls(list: (context: WalkContext) => WrongCall[]): Row {
  return { wrong: list };
}

export function call(label: string, fn: () => unknown, code?: string): WrongCall {
  return code === undefined ? { label, call: fn } : { label, call: fn, code };
}
