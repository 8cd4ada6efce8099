import { InvalidArgumentError } from "../errors/invalid-argument-error.js";

/**
 * How a retrying operation waits between attempts: exponential backoff, capped, with jitter so that many
 * clients do not retry in lock-step. The one retry policy of every package (writer `retry`, cluster `retry`,
 * streams consumers and router).
 */
export interface RetryPolicy {
  /**
   * Attempts in total, the first one included; 1 disables retries, `Infinity` retries until stopped. Where an
   * operation is bounded by a time window instead (cluster failover waits), attempts are not counted. [3]
   */
  attempts?: number | undefined;
  /** Delay before the first retry, before jitter. [100] */
  initialDelayMs?: number | undefined;
  /** Upper bound of any delay. [5000] */
  maxDelayMs?: number | undefined;
  /** Growth of the delay per retry. [2] */
  multiplier?: number | undefined;
  /**
   * "full": a uniform delay in [0, backoff] (spreads retries the most); "equal": [backoff/2, backoff];
   * "none": exactly the backoff. ["full"]
   */
  jitter?: RetryJitter | undefined;
}

export type RetryJitter = "full" | "equal" | "none";

/** `false`: no retries; `true` or undefined: the default policy; a number: attempts in total; or a policy. */
export type RetryOption = boolean | number | RetryPolicy;

/** A RetryPolicy with every field filled in and checked. */
export interface ResolvedRetryPolicy {
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  readonly jitter: RetryJitter;
}

export const DEFAULT_RETRY_POLICY: ResolvedRetryPolicy = Object.freeze({
  attempts: 3,
  initialDelayMs: 100,
  maxDelayMs: 5000,
  multiplier: 2,
  jitter: "full",
});

const POLICY_KEYS: ReadonlySet<string> = new Set([
  "attempts",
  "initialDelayMs",
  "maxDelayMs",
  "multiplier",
  "jitter",
]);
const JITTERS: readonly RetryJitter[] = ["full", "equal", "none"];

/**
 * Checks a retry option and fills in defaults from `defaults`; bad values throw an InvalidArgumentError
 * naming `argument` (e.g. "retry", "retryBackoff") before anything is sent.
 */
export function resolveRetryPolicy(
  option: RetryOption | undefined,
  options: { defaults?: ResolvedRetryPolicy; argument?: string } = {},
): ResolvedRetryPolicy {
  const defaults = options.defaults ?? DEFAULT_RETRY_POLICY;
  const argument = options.argument ?? "retry";
  if (option === undefined || option === true) return defaults;
  if (option === false) return { ...defaults, attempts: 1 };
  if (
    typeof option !== "number" &&
    (option === null || typeof option !== "object" || Array.isArray(option))
  ) {
    throw new InvalidArgumentError(
      argument,
      `expected a boolean, a number of attempts or a retry policy ({ attempts, initialDelayMs, maxDelayMs, multiplier, jitter }), got ${describe(option)}`,
    );
  }
  const policy: RetryPolicy = typeof option === "number" ? { attempts: option } : option;
  for (const key of Object.keys(policy)) {
    if (!POLICY_KEYS.has(key)) {
      const hint = retryKeyHint(key);
      throw new InvalidArgumentError(
        `${argument}.${key}`,
        `unknown retry policy option${hint ? `; did you mean "${hint}"?` : ""} (known: ${[...POLICY_KEYS].join(", ")})`,
      );
    }
  }
  const resolved: ResolvedRetryPolicy = {
    attempts: policy.attempts ?? defaults.attempts,
    initialDelayMs: policy.initialDelayMs ?? defaults.initialDelayMs,
    // A larger first delay than the default cap raises the cap rather than being silently cut down to it.
    maxDelayMs:
      policy.maxDelayMs ??
      (typeof policy.initialDelayMs === "number" && policy.initialDelayMs > defaults.maxDelayMs
        ? policy.initialDelayMs
        : defaults.maxDelayMs),
    multiplier: policy.multiplier ?? defaults.multiplier,
    jitter: policy.jitter ?? defaults.jitter,
  };
  if (
    typeof resolved.attempts !== "number" ||
    !(Number.isInteger(resolved.attempts) || resolved.attempts === Number.POSITIVE_INFINITY) ||
    resolved.attempts < 1
  ) {
    throw new InvalidArgumentError(
      `${argument}.attempts`,
      `must be an integer >= 1 (or Infinity), got ${describe(resolved.attempts)}`,
    );
  }
  for (const name of ["initialDelayMs", "maxDelayMs"] as const) {
    const value = resolved[name];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new InvalidArgumentError(`${argument}.${name}`, `must be a number >= 0, got ${describe(value)}`);
    }
  }
  if (resolved.maxDelayMs < resolved.initialDelayMs) {
    throw new InvalidArgumentError(
      `${argument}.maxDelayMs`,
      `must be >= initialDelayMs (${resolved.initialDelayMs}), got ${resolved.maxDelayMs}`,
    );
  }
  if (
    typeof resolved.multiplier !== "number" ||
    !Number.isFinite(resolved.multiplier) ||
    resolved.multiplier < 1
  ) {
    throw new InvalidArgumentError(
      `${argument}.multiplier`,
      `must be a number >= 1, got ${describe(resolved.multiplier)}`,
    );
  }
  if (!JITTERS.includes(resolved.jitter)) {
    throw new InvalidArgumentError(
      `${argument}.jitter`,
      `must be "full", "equal" or "none", got ${describe(resolved.jitter)}`,
    );
  }
  return resolved;
}

/** The names other libraries use for the same settings, so a caller coming from them gets a hint. */
const ALIASES: Record<string, string> = {
  initialms: "initialDelayMs",
  initial: "initialDelayMs",
  delayms: "initialDelayMs",
  basems: "initialDelayMs",
  mindelayms: "initialDelayMs",
  retrydelayms: "initialDelayMs",
  maxms: "maxDelayMs",
  max: "maxDelayMs",
  factor: "multiplier",
  retries: "attempts",
  maxattempts: "attempts",
  maxretries: "attempts",
};

function retryKeyHint(key: string): string | undefined {
  const lower = key.toLowerCase();
  if (ALIASES[lower]) return ALIASES[lower];
  for (const known of POLICY_KEYS) if (known.toLowerCase() === lower) return known;
  return undefined;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : String(value);
}
