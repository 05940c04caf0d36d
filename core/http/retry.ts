/** When and how long to wait before trying a request again. */

export interface RetryPolicy {
	/** Retries after the first attempt, for 5xx and network errors (the SDKs' 4). */
	maxRetries: number;
	/** First backoff step. */
	baseDelayMs: number;
	/** Backoff never waits longer than this (30 s, as the SDKs). */
	maxDelayMs: number;
	/** A Retry-After longer than this is treated as this. */
	maxRetryAfterMs: number;
	/**
	 * 429 and 409 request_in_progress mean "later", not "failed": they are retried for up to
	 * this long (or until the caller's deadline, if later) without counting as failures.
	 */
	laterPatienceMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxRetries: 4,
	baseDelayMs: 1000,
	maxDelayMs: 30_000,
	maxRetryAfterMs: 120_000,
	laterPatienceMs: 120_000,
};

/**
 * Capped exponential backoff with "equal jitter": half of the step is fixed, half random,
 * so many clients that failed together do not come back together.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
	const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
	return Math.round(step / 2 + random() * (step / 2));
}

/** `Retry-After` is either delta-seconds or an HTTP date. Returns milliseconds to wait. */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
	if (value === undefined) return undefined;
	const trimmed = value.trim();
	if (trimmed === '') return undefined;
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - nowMs);
}
