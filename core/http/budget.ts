/**
 * The key's requests-per-minute budget, shared by every request a client makes (all
 * jobs in flight poll under it). Two rules, both kept at once:
 * - a token bucket kept as a "theoretical arrival time" (GCRA): a steady pace of 90% of
 *   the key's limit, with room for a burst of a quarter of it (the moment a round of jobs
 *   ends, its last looks and the next round's submits all want to go at once);
 * - a sliding minute over what was actually booked, never more than that 90%: however
 *   Clipia counts its minute, a burst can't push us over it.
 * Each caller reserves its slot at once, so concurrent callers queue fairly without a lock;
 * a 429 or an exhausted `RateLimit-Remaining` pauses everyone. Beside it, whoever shares the
 * budget shares the key's other limit: the generations it may run at once (`slots`).
 *
 * **What the key's minute has left.** Other processes may spend the key too (n8n's workers,
 * another app): its `RateLimit-Remaining` then says less than our own count. While it shows
 * less than a tenth of the limit left, or after a pause for a spent minute, requests go one at a
 * time, each after the answer of the one before: that answer tells how much room the minute has
 * now. Whoever wakes at a minute's reset would otherwise send all it queued into room for one (a
 * sliding minute frees its requests one by one), and have the rest refused.
 * What is left is counted down as requests go, twice for each: a neighbour may be sending into
 * the same room at the same moment (a round of generations ending has both reading and
 * submitting), unseen until answers tell. So a burst into the last of a minute stops at a tenth
 * left, not at none, with the other half for the neighbour. An answer that stalls stops holding
 * the others back after a while.
 */

import { signalled, sleepUnlessAborted, unlessAborted, type Runtime } from '../runtime';
import { GenerationSlots } from './slots';

/** One request's place in the budget; told what came of it (the answer's headers, or nothing: no answer). */
export interface Booking {
	done(headers?: Record<string, string | undefined>): void;
}

export interface BudgetOptions {
	/** The key's limit, requests per minute, until an answer tells it (default: Clipia's published 120). */
	requestsPerMinute?: number;
	/** Requests that may go out back to back before pacing starts (default: a quarter of a minute's share). */
	burst?: number;
}

/** Of the key's limit, the share we use: the rest absorbs other clients of the key and clock skew. */
const SHARE = 0.9;
const MINUTE_MS = 60_000;
/** Less than this share of the key's limit left in its minute, requests go one at a time. */
const SCARCE_SHARE = 0.1;
/** Processes paused for one reset wake within this much of each other past it (see `pauseUntil`). */
const WAKE_SPREAD_MS = 1_000;
/** A request unanswered this long no longer holds the others back (a stalled answer). */
const STALE_MS = 2_000;

export class RequestBudget {
	private perMinute = 0;
	private intervalMs = 0;
	private burst = 0;
	private readonly fixedBurst?: number;
	private theoreticalArrival = 0;
	private blockedUntil = 0;
	/** How far past a pause's end this process wakes (see `pauseUntil`). */
	private wakeOffsetMs = 0;
	private readonly random: () => number;
	private learnedLimit?: number;
	/** Start times of the latest booked requests (at most one minute's share), oldest first. */
	private readonly booked: number[] = [];
	/** The key's concurrent generations, as submits on this budget meet them. */
	readonly slots: GenerationSlots;
	/** Until then, the key's minute has little room left (see "What the key's minute has left"): requests go one at a time. */
	private scarceUntil = 0;
	/** What the answer to the latest request answered said is left of the key's minute (unknown at first), and when. */
	private remainingSeen = Infinity;
	private remainingSeenAt = -Infinity;
	/** Requests sent so far, and which of them that answer was to. */
	private sent = 0;
	private seenOf = 0;
	/** Requests sent and not yet answered: their number in order, and when each went. */
	private readonly unanswered = new Map<object, { n: number; at: number }>();
	/** Woken when a request is answered. */
	private answered = signalled();

	constructor(
		private readonly runtime: Pick<Runtime, 'now' | 'sleep' | 'random'>,
		options: BudgetOptions = {},
	) {
		this.random = runtime.random ?? Math.random;
		this.fixedBurst = options.burst;
		this.setLimit(options.requestsPerMinute ?? 120);
		this.slots = new GenerationSlots(runtime);
	}

	private setLimit(limit: number): void {
		this.perMinute = Math.max(1, Math.floor(limit * SHARE));
		this.intervalMs = MINUTE_MS / this.perMinute;
		this.burst = this.fixedBurst ?? Math.max(1, Math.floor(this.perMinute / 4));
		if (this.booked.length > this.perMinute) this.booked.splice(0, this.booked.length - this.perMinute);
	}

	/**
	 * Waits until one request may be sent and returns its booking, to be told what came of it;
	 * returns `undefined` (reserving nothing) when that moment would not come before `deadline`.
	 */
	async take(signal?: AbortSignal, deadline = Infinity): Promise<Booking | undefined> {
		const now = this.runtime.now();
		const minuteFull =
			this.booked.length >= this.perMinute ? this.booked[this.booked.length - this.perMinute] + MINUTE_MS : 0;
		const start = Math.max(now, this.blockedUntil, this.theoreticalArrival - this.burst * this.intervalMs, minuteFull);
		if (start >= deadline) return undefined;
		this.theoreticalArrival = Math.max(this.theoreticalArrival, start) + this.intervalMs;
		this.booked.push(start);
		if (this.booked.length > this.perMinute) this.booked.shift();
		// Cancelled before it went: nothing was sent, so the booking goes back.
		const giveBack = (cancelled: unknown) => {
			this.unbook(start);
			return Promise.reject(cancelled);
		};
		await sleepUnlessAborted(this.runtime.sleep, start - now, signal).catch(giveBack);
		// Room in the key's minute (perhaps it became scarce while this one waited): answers first.
		const place = await this.roomTurn(signal, deadline).catch(giveBack);
		if (!place) {
			this.unbook(start);
			return undefined;
		}
		let told = false;
		return {
			done: (headers) => {
				if (told) return;
				told = true;
				if (headers) this.observe(headers, this.unanswered.get(place)?.n);
				this.unanswered.delete(place);
				const answered = this.answered;
				this.answered = signalled();
				answered.fire();
			},
		};
	}

	private isScarce(): boolean {
		return this.runtime.now() < this.scarceUntil;
	}

	/**
	 * Little is left of the key's minute: what the latest answer said (within the last minute), less
	 * twice what went since. Alone on the key it matters too: a minute's bookings are counted from
	 * when they went, the key counts them from when they arrived, so a burst as the oldest leave
	 * this process's minute may find them still in the key's.
	 */
	private littleLeft(): boolean {
		if (this.runtime.now() - this.remainingSeenAt > MINUTE_MS) return false;
		const left = this.remainingSeen - 2 * (this.sent - this.seenOf);
		return left < SCARCE_SHARE * (this.learnedLimit ?? this.perMinute / SHARE);
	}

	/**
	 * While little is left of the key's minute (see "What the key's minute has left"), waits for
	 * the answer of the request before (or until it stalls), and for the pause that answer may have
	 * started (a 429 would otherwise be followed by another, one answer later, for each caller
	 * waiting); then counts this one as sent: returns
	 * its place, or undefined when this caller's deadline came first. Checking and taking the place
	 * happen in one step, so callers woken together do not all go.
	 */
	private async roomTurn(signal: AbortSignal | undefined, deadline: number): Promise<object | undefined> {
		for (;;) {
			const now = this.runtime.now();
			// Paused while it waited (the answer before it was a 429, or said the minute is spent).
			if (now < this.blockedUntil) {
				if (this.blockedUntil >= deadline) return undefined;
				await sleepUnlessAborted(this.runtime.sleep, this.blockedUntil - now, signal);
				continue;
			}
			let awaited = 0;
			let staleAt = Infinity;
			for (const { at } of this.unanswered.values()) {
				if (now - at >= STALE_MS) continue;
				awaited++;
				staleAt = Math.min(staleAt, at + STALE_MS);
			}
			if (now >= deadline) return undefined;
			if (awaited === 0 || !(this.isScarce() || this.littleLeft())) {
				const place = {};
				this.unanswered.set(place, { n: ++this.sent, at: now });
				return place;
			}
			const nap = Math.min(staleAt, deadline) - now;
			await unlessAborted(Promise.race([this.answered.fired, this.runtime.sleep(nap)]), signal);
		}
	}

	/** Gives back a booking that was never used: the next caller may take its place. */
	private unbook(start: number): void {
		const index = this.booked.lastIndexOf(start);
		if (index >= 0) this.booked.splice(index, 1);
		this.theoreticalArrival = Math.max(this.runtime.now(), this.theoreticalArrival - this.intervalMs);
	}

	/**
	 * Nobody sends before `untilMs` (a 429's Retry-After, or a spent rate window), and a random part
	 * of a second more; then one at a time. Other processes on the key pause for the same reset:
	 * woken together, they would race for the one request a sliding minute frees, and all but one
	 * be refused. Each pause draws its own offset; a pause lengthened while it lasts keeps it.
	 */
	pauseUntil(untilMs: number): void {
		if (this.runtime.now() >= this.blockedUntil) this.wakeOffsetMs = this.random() * WAKE_SPREAD_MS;
		this.blockedUntil = Math.max(this.blockedUntil, untilMs + this.wakeOffsetMs);
		// Nobody reads before then either: a probe for room waits for the reads of the ends it points at.
		this.slots.readsPausedUntil(this.blockedUntil);
		// Until an answer shows room; a minute past the pause at most (answers may lack the headers).
		this.scarceUntil = Math.max(this.scarceUntil, untilMs + MINUTE_MS);
	}

	/**
	 * Learns from the `RateLimit-*` headers of an answer: adopts the key's real limit and
	 * pauses until the window resets when almost nothing is left of it.
	 */
	observe(headers: Record<string, string | undefined>, requestNumber = this.sent): void {
		const limit = Number(headers['ratelimit-limit']);
		if (Number.isFinite(limit) && limit > 0 && limit !== this.learnedLimit) {
			this.learnedLimit = limit;
			const oldInterval = this.intervalMs;
			this.setLimit(limit);
			// Slots already booked at the old pace move to the new one, so callers queued before
			// the limit was known don't idle (or crowd) at a pace the key doesn't have.
			const now = this.runtime.now();
			if (this.theoreticalArrival > now)
				this.theoreticalArrival = now + ((this.theoreticalArrival - now) * this.intervalMs) / oldInterval;
		}
		const remaining = Number(headers['ratelimit-remaining']);
		const resetSeconds = Number(headers['ratelimit-reset']);
		if (!Number.isFinite(remaining)) return;
		// An answer to an earlier request than the one last heard of is older news.
		if (requestNumber >= this.seenOf) {
			this.remainingSeen = remaining;
			this.remainingSeenAt = this.runtime.now();
			this.seenOf = requestNumber;
		}
		const scarce = remaining < SCARCE_SHARE * (this.learnedLimit ?? this.perMinute / SHARE);
		this.scarceUntil = scarce ? Math.max(this.scarceUntil, this.runtime.now() + MINUTE_MS) : 0;
		if (remaining <= 1 && Number.isFinite(resetSeconds) && resetSeconds > 0) {
			this.pauseUntil(this.runtime.now() + resetSeconds * 1000);
		}
	}
}
