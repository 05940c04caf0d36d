/**
 * The key's other limit: how many generations may run at once. Clipia does not publish it
 * per key and refuses a submit over it with a 429 (RateLimit-Remaining still above 0) and
 * a Retry-After (documented nowhere: the soonest end of the key's generations, or of its
 * running ones only, depending on the implementation).
 *
 * Such a refusal concerns submits only: reads go on (they are what sees generations end).
 * After one, this process's submits go one at a time, each waiting for the one before to be
 * answered, until one is accepted with none waiting. However many items wait (4 executions ×
 * Max Concurrency 5 on a key of 10), a full key costs few refused submits: every refusal is
 * a request of the key's per-minute budget spent on nothing.
 *
 * **Its own ends are its room.** The process counts its generations in flight (accepted, not
 * yet seen to end). Refused while holding n, it knows the key is full with n of its own; when
 * one of its own ends (a read shows it), a submit goes at once into the room that end made,
 * without waiting for the Retry-After, and the Retry-After starts again from there: it most
 * likely pointed at that very end, so a probe at it would find the room already taken. A
 * probe waits half a second past the Retry-After, so that read comes first. While its own
 * ends keep coming, a probe only looks for another process's room: each refused one doubles
 * the next wait (up to 4× the Retry-After). A process that reads no ends (submits only)
 * probes at each Retry-After.
 */

import { throwIfAborted, unlessAborted, type Runtime } from '../runtime';

/** The outcome of one submit attempt, told back to the slots: the first word counts, any later one is ignored. */
export interface SlotTicket {
	/** Accepted: the key has room again; `requestId` runs now (unless it ended at once) and holds a place. */
	accepted(requestId?: string, running?: boolean): void;
	/** Refused for concurrency: the key is full for about `retryAfterMs`. */
	refused(retryAfterMs: number): void;
	/** Not sent, or answered otherwise: it says nothing of the key's room. */
	withdrawn(): void;
}

export class GenerationSlots {
	/** A refusal's Retry-After: no submit goes before it. */
	private fullUntil = 0;
	/** Since a refusal, until a submit is accepted: submits go one at a time. */
	private full = false;
	/** The one submit under way while `full`; the others wait for its answer. */
	private probe?: Promise<void>;
	/** Submits waiting here: while any do, the key is still contended. */
	private waiting = 0;
	/** This process's generations in flight on the key: accepted, not yet seen to end (request_id → when). */
	private readonly held = new Map<string, number>();
	/** How many it held when last refused: the room it is known to have while the key is full. */
	private level = Infinity;
	/** The last refusal's Retry-After. */
	private retryAfterMs = 1_000;
	/** When one of its own was last seen to end: it reads its ends, so its own room comes to it. */
	private ownEndAt = -Infinity;
	/** Probes refused in a row while its own ends kept coming: each waits twice the one before (up to 4×). */
	private refusedProbes = 0;
	/** Woken when one of its own generations ends. */
	private released = signalled();

	constructor(private readonly runtime: Pick<Runtime, 'now' | 'sleep'>) {}

	/** One of this process's generations was seen to end (COMPLETED, FAILED, CANCELED): its place is free. */
	ended(requestId: string): void {
		if (!this.held.delete(requestId)) return;
		this.ownEndAt = this.runtime.now();
		const released = this.released;
		this.released = signalled();
		released.fire();
	}

	/** Generations in flight, forgetting any whose end was never read (a submit-only call) after a long while. */
	private holding(): number {
		const now = this.runtime.now();
		for (const [id, at] of this.held) if (now - at > FORGET_HELD_MS) this.held.delete(id);
		return this.held.size;
	}

	/**
	 * Waits until a submit may go; `undefined` when that moment would not come before
	 * `deadline` (the caller ends with the refusal it met, or a rate-limit sentence).
	 */
	async enter(signal?: AbortSignal, deadline = Infinity): Promise<SlotTicket | undefined> {
		this.waiting++;
		try {
			return await this.turn(signal, deadline);
		} finally {
			this.waiting--;
		}
	}

	private async turn(signal: AbortSignal | undefined, deadline: number): Promise<SlotTicket | undefined> {
		for (;;) {
			throwIfAborted(signal);
			const now = this.runtime.now();
			if (now >= deadline) return undefined;
			// One of its own ended since the refusal: that room is this process's to take now.
			const ownRoom = this.full && this.holding() < this.level;
			if (now < this.fullUntil && !ownRoom) {
				if (this.fullUntil >= deadline) return undefined;
				const wake = this.released.fired;
				await unlessAborted(Promise.race([this.runtime.sleep(this.fullUntil - now), wake]), signal);
				continue;
			}
			if (this.probe) {
				// Its answer, or this caller's deadline, whichever comes first.
				const waits = [this.probe];
				if (Number.isFinite(deadline)) waits.push(this.runtime.sleep(Math.min(deadline - now, 1_000)));
				await unlessAborted(Promise.race(waits), signal);
				continue;
			}
			if (!this.full)
				return ticket({ accepted: (id, running) => this.hold(id, running), refused: (ms) => this.refuse(ms) });
			let answered!: () => void;
			this.probe = new Promise<void>((resolve) => (answered = resolve));
			const settle = () => {
				this.probe = undefined;
				answered();
			};
			return ticket({
				// Room for one says nothing of room for all that wait: they go on one at a time.
				accepted: (id, running) => {
					this.hold(id, running);
					this.refusedProbes = 0;
					// Into room its own end made: the next probe for more waits a Retry-After from now.
					if (ownRoom) this.fullUntil = Math.max(this.fullUntil, this.runtime.now() + this.retryAfterMs + GRACE_MS);
					if (this.waiting === 0) {
						// No one waits: the key is no longer known to be full, and the next submit goes at once.
						this.full = false;
						this.level = Infinity;
						this.fullUntil = Math.min(this.fullUntil, this.runtime.now());
					}
					settle();
				},
				refused: (ms) => {
					this.refuse(ms);
					settle();
				},
				withdrawn: settle,
			});
		}
	}

	private hold(requestId: string | undefined, running = true): void {
		if (requestId && running) this.held.set(requestId, this.runtime.now());
	}

	private refuse(retryAfterMs: number): void {
		const now = this.runtime.now();
		const holding = this.holding();
		// Holding generations whose ends it reads, its own room comes to it: a probe only looks for
		// another process's, so one refused makes the next wait longer. One that reads no ends
		// (submits only) has nothing else to go by: it probes at every Retry-After.
		const readsItsEnds = holding > 0 && now - this.ownEndAt < READS_ITS_ENDS_MS;
		// A Retry-After of a second or two says little (an API that counts only running generations
		// answers so while the key's are still queued): probing that often is mostly refused.
		const vague = holding > 0 && retryAfterMs <= VAGUE_RETRY_AFTER_MS;
		this.refusedProbes = this.full && (readsItsEnds || vague) ? this.refusedProbes + 1 : 0;
		this.full = true;
		this.level = holding;
		// The wait after its own room is filled: a vague Retry-After does not shorten it.
		if (!vague || this.retryAfterMs <= VAGUE_RETRY_AFTER_MS) this.retryAfterMs = retryAfterMs;
		const backoff = 2 ** Math.min(this.refusedProbes, 2);
		this.fullUntil = Math.max(this.fullUntil, now + retryAfterMs * backoff + GRACE_MS);
	}
}

/**
 * Past the Retry-After before a probe: when the end it points at is one of this process's own,
 * the read that lands just after that end comes first and takes the room without a probe.
 */
const GRACE_MS = 500;

/** A Retry-After this short, while holding generations, is doubled after each refusal too. */
const VAGUE_RETRY_AFTER_MS = 2_000;

/** Seen one of its own end within this, a process is taken to read its ends. */
const READS_ITS_ENDS_MS = 2 * 60_000;

/** A generation whose end this process never read (a submit-only call) stops counting after this. */
const FORGET_HELD_MS = 30 * 60_000;

/** A promise to wait on, and what fires it. */
function signalled(): { fired: Promise<void>; fire: () => void } {
	let fire!: () => void;
	const fired = new Promise<void>((resolve) => (fire = resolve));
	return { fired, fire };
}

/** A ticket that acts on its first outcome only: telling it twice (a retry path, a `finally`) is harmless. */
function ticket(on: Partial<SlotTicket>): SlotTicket {
	let told = false;
	const once =
		<A extends unknown[]>(act?: (...args: A) => void) =>
		(...args: A) => {
			if (told) return;
			told = true;
			act?.(...args);
		};
	return { accepted: once(on.accepted), refused: once(on.refused), withdrawn: once(on.withdrawn) };
}
