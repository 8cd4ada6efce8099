export { backoffDelay } from "./backoff.js";
export {
  DEFAULT_RETRY_POLICY,
  type ResolvedRetryPolicy,
  type RetryJitter,
  type RetryOption,
  type RetryPolicy,
  resolveRetryPolicy,
} from "./retry-policy.js";
export { sleep } from "./sleep.js";
