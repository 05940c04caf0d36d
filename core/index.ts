/** core: the one implementation of the Clipia operations, free of n8n, MCP and axios. */

export * from './runtime';
export * from './errors';
export * from './fields';
export * from './validate';
export * from './result';
export * from './media';
export * from './http/wire';
export { ClipiaClient, CORE_USER_AGENT, DEFAULT_BASE_URL, normalizeBaseUrl, type ClientOptions, type CallOptions } from './http/client';
export { RequestBudget, type BudgetOptions } from './http/budget';
export { DEFAULT_RETRY_POLICY, backoffDelayMs, parseRetryAfterMs, type RetryPolicy } from './http/retry';
export { JobTrack, DEFAULT_TUNING, type Observation, type ScheduleTuning } from './wait/schedule';
export { waitForGeneration, waitForGenerations, type WaitOptions } from './wait/waiter';
export * from './operations/context';
export * from './operations/generate';
export * from './operations/requests';
export * from './operations/catalog';
