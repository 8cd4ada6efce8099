import { RedisTimeoutError } from "@polars-redis/core";

/** Rejects with a RedisTimeoutError when `promise` has not settled within `timeoutMs` (0 disables). */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  if (timeoutMs <= 0) return promise;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RedisTimeoutError({ message: `${what}: no reply within ${timeoutMs} ms`, timeoutMs })),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
