/**
 * The key's requests-per-minute budget, shared by every request a client makes (all
 * jobs in flight poll under it). A token bucket kept as a "theoretical arrival time"
 * (GCRA): each caller reserves its slot at once, so concurrent callers queue fairly
 * without a lock, and a 429 or an exhausted `RateLimit-Remaining` pauses everyone.
 */

import { sleepUnlessAborted, type Runtime } from '../runtime';

export interface BudgetOptions {
	/** Requests per minute to stay under (default 108: 90% of Clipia's published 120). */
	requestsPerMinute?: number;
	/** Requests that may go out back to back before pacing starts. */
	burst?: number;
}

export class RequestBudget {
	private intervalMs: number;
	private readonly burst: number;
	private theoreticalArrival = 0;
	private blockedUntil = 0;
	private learnedLimit?: number;

	constructor(
		private readonly runtime: Pick<Runtime, 'now' | 'sleep'>,
		options: BudgetOptions = {},
	) {
		this.intervalMs = 60_000 / (options.requestsPerMinute ?? 108);
		this.burst = options.burst ?? 10;
	}

	/**
	 * Waits until one request may be sent and returns true; returns false at once (reserving
	 * nothing) when that moment would not come before `deadline`.
	 */
	async take(signal?: AbortSignal, deadline = Infinity): Promise<boolean> {
		const now = this.runtime.now();
		const start = Math.max(now, this.blockedUntil, this.theoreticalArrival - this.burst * this.intervalMs);
		if (start >= deadline) return false;
		this.theoreticalArrival = Math.max(this.theoreticalArrival, start) + this.intervalMs;
		await sleepUnlessAborted(this.runtime.sleep, start - now, signal);
		return true;
	}

	/** Nobody sends before `untilMs` (a 429's Retry-After, or a spent rate window). */
	pauseUntil(untilMs: number): void {
		this.blockedUntil = Math.max(this.blockedUntil, untilMs);
	}

	/**
	 * Learns from the `RateLimit-*` headers of an answer: adopts the key's real limit and
	 * pauses until the window resets when almost nothing is left of it.
	 */
	observe(headers: Record<string, string | undefined>): void {
		const limit = Number(headers['ratelimit-limit']);
		if (Number.isFinite(limit) && limit > 0 && limit !== this.learnedLimit) {
			this.learnedLimit = limit;
			const interval = 60_000 / Math.max(1, Math.floor(limit * 0.9));
			// Slots already booked at the old pace move to the new one, so callers queued before
			// the limit was known don't idle (or crowd) at a pace the key doesn't have.
			const now = this.runtime.now();
			if (this.theoreticalArrival > now) this.theoreticalArrival = now + ((this.theoreticalArrival - now) * interval) / this.intervalMs;
			this.intervalMs = interval;
		}
		const remaining = Number(headers['ratelimit-remaining']);
		const resetSeconds = Number(headers['ratelimit-reset']);
		if (Number.isFinite(remaining) && remaining <= 1 && Number.isFinite(resetSeconds) && resetSeconds > 0) {
			this.pauseUntil(this.runtime.now() + resetSeconds * 1000);
		}
	}
}
