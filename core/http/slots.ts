/**
 * The key's other limit: how many generations may run at once. Clipia does not publish it
 * per key and refuses a submit over it with a 429 (RateLimit-Remaining still above 0) and
 * a Retry-After (documented nowhere: the soonest end of the key's generations, or of its
 * running ones only, depending on the implementation).
 *
 * Such a refusal concerns submits only: reads go on (they are what sees generations end).
 * Every refused submit is a request of the key's per-minute budget spent on nothing, so
 * submits never go out many at a time into room nobody has seen:
 *
 * - **Slow start.** Submits awaiting their answer are at most a window: 1 at first, one more
 *   for each accepted (twice as many each round of answers), and 1 again after a quiet while. Another process may hold the key (n8n's workers share it):
 *   then its first submit is refused alone, not a whole batch's worth at once.
 * - **Past the likely limit** (10 at once, as reported for Clipia's keys, or the most this
 *   process has held), submits go one at a time: a key of 10 refuses the 11th alone. So do they
 *   past half of it, up to the most this process has held in its current batch (since it last
 *   held none for a quiet while): two processes starting together (n8n's workers) fill half
 *   each, and then overshoot the key by one refused submit each, not by a round each. Refilling
 *   room it held in the batch, it sends in windows.
 * - **Full.** After a refusal, submits wait for the Retry-After and then go one at a time,
 *   each waiting for the one before to be answered, until one is accepted with none waiting.
 *   However many items wait (4 executions × Max Concurrency 5 on a key of 10), a full key
 *   costs few refused submits.
 * - **Contended.** For a minute after a refusal, the window stays at 1: the room that ends
 *   make is raced for by the other process, and the loser of a race loses one submit.
 *
 * **Its own ends are its room.** The process counts its generations in flight (accepted, not
 * yet seen to end). Refused while holding n, it knows the key is full with n of its own; when
 * one of its own ends (a read shows it), a submit goes at once into the room that end made,
 * without waiting for the Retry-After, and the Retry-After starts again from there: it most
 * likely pointed at that very end, so a probe at it would find the room already taken. A
 * probe waits 1.5 s past the Retry-After, so the owner's read of that end comes first. While its
 * own ends keep coming, a probe only looks for another process's room: each refused one doubles
 * the next wait (up to 4× the Retry-After), across its own refills too while it holds half the
 * key or more. A process that reads no ends (submits only) probes at each Retry-After. A
 * Retry-After of a second or two as a batch starts, while it holds generations (an API that
 * counts only running ones answers so while the key's are still queued), points at no end: the
 * probe waits for the first of its own ends, up to 15 s, unless the caller's deadline comes
 * sooner (then it goes by the Retry-After).
 */

import { signalled, throwIfAborted, unlessAborted, type Runtime } from '../runtime';

/** One submit's turn, told back to the slots: the first outcome counts, any later one is ignored. */
export interface SlotTicket {
	/** The submit goes out now (it may have waited for the request budget): its answer is awaited from here. */
	sending(): void;
	/** Accepted: the key has room again; `requestId` runs now (unless it ended at once) and holds a place. */
	accepted(requestId?: string, running?: boolean): void;
	/** Refused for concurrency: the key is full for about `retryAfterMs`. */
	refused(retryAfterMs: number): void;
	/** Not sent, or answered otherwise: it says nothing of the key's room. */
	withdrawn(): void;
}

export class GenerationSlots {
	/** A refusal's Retry-After, perhaps lengthened by the backoff: no submit goes before it. */
	private fullUntil = 0;
	/**
	 * After a vague Retry-After, a probe waits for one of its own ends until then, unless that is
	 * past the caller's deadline (see `refuse`); the first of its own ends accepted ends it.
	 */
	private vagueUntil = 0;
	/** The latest refusal's own Retry-After (plus the grace), without the backoff. */
	private toldUntil = 0;
	/** Since a refusal, until a submit is accepted with none waiting: submits go one at a time. */
	private full = false;
	/** Until then (a minute after the last refusal), submits go one at a time too. */
	private contendedUntil = -Infinity;
	/** How many submits may await their answers at once while the key is neither full nor contended. */
	private window = 1;
	/** When a turn was last handed out or answered: after a quiet while, the window starts again at 1. */
	private lastActiveAt = -Infinity;
	/** Whether an own-room submit has moved the next probe since the last refusal (only the first does). */
	private probeMoved = false;
	/** Turns handed out and not yet answered: when each went out (`undefined`: not yet). */
	private readonly unanswered = new Map<object, number | undefined>();
	/** Woken when a turn is sent, answered or withdrawn. */
	private answered = signalled();
	/** Submits waiting here: while any do, the key is still contended. */
	private waiting = 0;
	/** This process's generations in flight on the key: accepted, not yet seen to end (request_id → when). */
	private readonly held = new Map<string, number>();
	/** The most it has held at once: a key that ran that many may run them again. */
	private mostHeld = 0;
	/** The most it has held in its current batch (see `issue`): submits past half the likely limit go one at a time up to it. */
	private mostHeldInBatch = 0;
	/** Whether one of its own has been seen to end in its current batch. */
	private endedInBatch = false;
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
		this.endedInBatch = true;
		const released = this.released;
		this.released = signalled();
		released.fire();
	}

	/**
	 * The key's minute is spent until `untilMs`: no read goes before it, so the ends a Retry-After
	 * pointed at are read from then on. A probe due meanwhile waits for them as it waits past any
	 * Retry-After (GRACE_MS): woken at the reset, it would take the room those reads are for.
	 */
	readsPausedUntil(untilMs: number): void {
		if (!this.full) return;
		this.fullUntil = Math.max(this.fullUntil, untilMs + GRACE_MS);
		this.toldUntil = Math.max(this.toldUntil, untilMs + GRACE_MS);
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
	async enter(signal?: AbortSignal, deadline = Infinity, again = false): Promise<SlotTicket | undefined> {
		// Everyone who waited gave up: a new submit (not one refused a moment ago, `again`) waits for
		// what the key said, not for a backoff that spared probes for callers who are gone.
		if (!again && this.waiting === 0 && this.unanswered.size === 0 && this.fullUntil > this.toldUntil) {
			this.fullUntil = this.toldUntil;
			this.vagueUntil = 0;
			this.refusedProbes = 0;
		}
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
			const holding = this.holding();
			// One of its own ended since the refusal: that room is this process's to take now.
			const ownRoom = this.full && holding < this.level;
			// A caller that can't wait out a vague Retry-After's wait goes by the Retry-After.
			const until = this.vagueUntil < deadline ? Math.max(this.fullUntil, this.vagueUntil) : this.fullUntil;
			if (now < until && !ownRoom) {
				if (until >= deadline) return undefined;
				const wake = this.released.fired;
				await unlessAborted(Promise.race([this.runtime.sleep(until - now), wake]), signal);
				continue;
			}
			const { awaited, fresh, staleAt } = this.awaitedAnswers(now);
			// Past the key's likely limit, more room is unseen: one at a time finds whether there is any.
			const pastLikely = holding + awaited >= Math.max(LIKELY_CONCURRENCY, this.mostHeld);
			// Past half of it, and past the most it has held: another process may be filling the other
			// half at this moment, as n8n's workers starting together do. One at a time, the first refusal
			// stops it; a round sent into that half would have most of itself refused.
			const pastHalf = holding + awaited >= Math.max(LIKELY_CONCURRENCY / 2, this.mostHeldInBatch);
			// On a key known full, or past its likely limit, a slow answer is waited for: another submit
			// would most likely be refused too. Else a stalled one stops holding the others back.
			const sure = this.full || pastLikely;
			const oneAtATime = sure || pastHalf || now < this.contendedUntil;
			if ((sure ? awaited : fresh) >= (oneAtATime ? 1 : this.window)) {
				// An answer, the oldest submit going stale, or this caller's deadline: whichever comes first.
				const nap = Math.min(sure ? Infinity : staleAt, deadline) - now;
				const waits = [this.answered.fired];
				if (Number.isFinite(nap)) waits.push(this.runtime.sleep(nap));
				await unlessAborted(Promise.race(waits), signal);
				continue;
			}
			return this.issue(ownRoom);
		}
	}

	/** Submits awaiting their answers; of them, those not stalled (out less than STALE_MS); when the next stalls. */
	private awaitedAnswers(now: number): { awaited: number; fresh: number; staleAt: number } {
		let fresh = 0;
		let staleAt = Infinity;
		for (const sentAt of this.unanswered.values()) {
			if (sentAt !== undefined && now - sentAt >= STALE_MS) continue;
			fresh++;
			if (sentAt !== undefined) staleAt = Math.min(staleAt, sentAt + STALE_MS);
		}
		return { awaited: this.unanswered.size, fresh, staleAt };
	}

	private issue(ownRoom: boolean): SlotTicket {
		const now = this.runtime.now();
		// Room seen a while ago may be another process's by now: a burst after a quiet while starts small.
		if (this.unanswered.size === 0 && now - this.lastActiveAt > QUIET_MS) {
			this.window = 1;
			// Holding none either, the batch that held them is over: what it held says nothing of the room
			// now, when another process may start with this one (n8n's workers take the next executions together).
			if (this.held.size === 0) {
				this.mostHeldInBatch = 0;
				this.endedInBatch = false;
			}
		}
		this.lastActiveAt = now;
		const turn = {};
		this.unanswered.set(turn, undefined);
		// Sent while the key is known full: into its own room, or a probe for more.
		const sentFull = this.full;
		const answered = () => {
			this.unanswered.delete(turn);
			this.lastActiveAt = this.runtime.now();
			this.changed();
		};
		return ticket({
			sending: () => {
				if (!this.unanswered.has(turn)) return;
				this.unanswered.set(turn, this.runtime.now());
				// Those waiting behind it learn when it stalls.
				this.changed();
			},
			accepted: (id, running) => {
				answered();
				this.hold(id, running);
				// One more for each accepted: the window doubles with each round of answers.
				if (this.runtime.now() >= this.contendedUntil) this.window = Math.min(this.window + 1, MAX_WINDOW);
				if (!sentFull) return;
				// Room its own end made says nothing of more room: only a probe's success ends the backoff.
				if (!ownRoom) this.refusedProbes = 0;
				// Its own end came: a vague Retry-After's wait for one is over.
				if (ownRoom) this.vagueUntil = 0;
				// Into room its own end made, most likely the end the Retry-After pointed at: the probe for more
				// waits a Retry-After from now, backed off as refused probes were (see `probeBackoff`). Only
				// once: its later ends must not put off every probe.
				if (ownRoom && !this.probeMoved) {
					this.probeMoved = true;
					const wait = this.retryAfterMs * this.probeBackoff(this.holding()) + GRACE_MS;
					this.fullUntil = Math.max(this.fullUntil, this.runtime.now() + wait);
				}
				if (this.waiting === 0) {
					// No one waits: the key is no longer known to be full, and the next submit goes at once.
					this.full = false;
					this.level = Infinity;
					this.fullUntil = Math.min(this.fullUntil, this.runtime.now());
					this.vagueUntil = 0;
				}
			},
			refused: (ms) => {
				answered();
				this.refuse(ms, sentFull);
			},
			withdrawn: answered,
		});
	}

	/**
	 * How many Retry-Afters a probe waits, holding `holding` of the key's generations. While every
	 * process on the key refills its own room, a probe finds none: each is refused. A process
	 * holding half the key's likely limit or more backs off as its refused probes say (up to 4×),
	 * across its own refills too. One holding less keeps probing every Retry-After: the room a
	 * finishing neighbour leaves is most likely its to take, and soon. One holding none doubles
	 * its wait once (see `refuse`).
	 */
	private probeBackoff(holding: number): number {
		if (holding === 0) return 2 ** Math.min(this.refusedProbes, 1);
		return 2 ** (holding * 2 < LIKELY_CONCURRENCY ? 0 : Math.min(this.refusedProbes, 2));
	}

	/** Wakes the submits waiting for a turn's answer. */
	private changed(): void {
		const signal = this.answered;
		this.answered = signalled();
		signal.fire();
	}

	private hold(requestId: string | undefined, running = true): void {
		if (!requestId || !running) return;
		this.held.set(requestId, this.runtime.now());
		this.mostHeld = Math.max(this.mostHeld, this.held.size);
		this.mostHeldInBatch = Math.max(this.mostHeldInBatch, this.held.size);
	}

	private refuse(retryAfterMs: number, probe: boolean): void {
		const now = this.runtime.now();
		const holding = this.holding();
		this.contendedUntil = now + CONTENDED_MS;
		this.window = 1;
		this.probeMoved = false;
		// Holding generations whose ends it reads, its own room comes to it: a probe only looks for
		// another process's, so one refused makes the next wait longer. One that reads no ends
		// (submits only) has nothing else to go by: it probes at every Retry-After.
		const readsItsEnds = holding > 0 && now - this.ownEndAt < READS_ITS_ENDS_MS;
		// A Retry-After of a second or two says little (an API that counts only running generations
		// answers so while the key's are still queued): probing that often is mostly refused.
		const vague = holding > 0 && retryAfterMs <= VAGUE_RETRY_AFTER_MS;
		// Holding none, it waits for room another process leaves: the Retry-After points at an end
		// whose owner most likely takes the room again, so a second refusal in a row doubles the wait
		// (once only: when that process has no more to send, the room should not stand idle long).
		const holdsNone = holding === 0;
		// Submits sent before the key was known full, refused together, are one refusal's worth.
		if (probe) this.refusedProbes = readsItsEnds || vague || holdsNone ? this.refusedProbes + 1 : 0;
		else if (!this.full) this.refusedProbes = 0;
		this.full = true;
		this.level = holding;
		// The wait after its own room is filled: a vague Retry-After does not shorten it.
		if (!vague || this.retryAfterMs <= VAGUE_RETRY_AFTER_MS) this.retryAfterMs = retryAfterMs;
		const backoff = this.probeBackoff(holding);
		this.toldUntil = Math.max(this.toldUntil, now + retryAfterMs + GRACE_MS);
		this.fullUntil = Math.max(this.fullUntil, now + retryAfterMs * backoff + GRACE_MS);
		// Vague as a batch starts, the key's generations were most likely all just submitted, its own
		// with them: no room comes before they have run a while, and its own ends (which wake it) bring
		// the first. Later in a batch, a neighbour may be finishing: the probe goes by the Retry-After.
		// A caller whose deadline comes sooner (a quick call) probes at the Retry-After too.
		if (vague && !this.endedInBatch) this.vagueUntil = Math.max(this.vagueUntil, now + VAGUE_PROBE_MS);
	}
}

/**
 * Past the Retry-After before a probe: the owner of the end it points at (this process or
 * another) reads that end first and takes the room without a refusal. A learned look lands within
 * a second of the end, a first batch's blind look within about 1.5 s; a probe that came sooner
 * would take another's room and have its owner's refill refused instead.
 */
const GRACE_MS = 1_500;

/** A Retry-After this short, while holding generations, is doubled after each refusal too. */
const VAGUE_RETRY_AFTER_MS = 2_000;

/** After a vague Retry-After, a probe waits this long, unless one of its own ends first (see `refuse`). */
const VAGUE_PROBE_MS = 15_000;

/** Seen one of its own end within this, a process is taken to read its ends. */
const READS_ITS_ENDS_MS = 2 * 60_000;

/** A generation whose end this process never read (a submit-only call) stops counting after this. */
const FORGET_HELD_MS = 10 * 60_000;

/** After a refusal, submits go one at a time for this long (each further refusal starts it again). */
const CONTENDED_MS = 60_000;

/** A submit unanswered this long no longer holds back the next (a stalled answer is not a slow start). */
const STALE_MS = 2_000;

/** Generations a key most likely runs at once (reported for Clipia's keys): beyond, submits go one at a time. */
const LIKELY_CONCURRENCY = 10;

/** No turn handed out for this long, the window starts again at 1. */
const QUIET_MS = 2_000;

/** Submits awaiting answers at once, at most, however many were accepted. */
const MAX_WINDOW = 64;

/** A ticket that acts on its first outcome only: telling it twice (a retry path, a `finally`) is harmless. */
function ticket(on: SlotTicket): SlotTicket {
	let told = false;
	const once =
		<A extends unknown[]>(act: (...args: A) => void) =>
		(...args: A) => {
			if (told) return;
			told = true;
			act(...args);
		};
	return {
		sending: () => {
			if (!told) on.sending();
		},
		accepted: once(on.accepted),
		refused: once(on.refused),
		withdrawn: once(on.withdrawn),
	};
}
