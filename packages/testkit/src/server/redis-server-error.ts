/** Why a redis-server fixture could not be started or driven; `logTail` holds the server's last log lines. */
export class RedisServerError extends Error {
  readonly logTail: string | undefined;

  constructor(message: string, options: { cause?: unknown; logTail?: string | undefined } = {}) {
    const withLog = options.logTail
      ? `${message}\n--- last lines of the redis-server log ---\n${options.logTail}`
      : message;
    super(withLog, { cause: options.cause });
    this.name = "RedisServerError";
    this.logTail = options.logTail;
  }
}

/** redis-server is not installed (or REDIS_SERVER_BIN points nowhere); the message says how to install it. */
export class RedisServerNotFoundError extends RedisServerError {
  constructor(message: string) {
    super(message);
    this.name = "RedisServerNotFoundError";
  }
}
