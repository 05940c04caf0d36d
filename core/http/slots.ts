/**
 * The key's other limit: how many generations may run at once. Clipia does not publish it
 * per key and refuses a submit over it with a 429 (RateLimit-Remaining still above 0) and
 * a Retry-After for when the soonest running generation ends.
 *
 * Such a refusal concerns submits only: reads go on (they are what sees generations end).
 * After one, this process's submits wait for the Retry-After and then go one at a time,
 * each waiting for the one before to be answered, until one is accepted with none waiting. However
 * many items wait (4 executions × Max Concurrency 5 on a key of 10), a full key costs
 * one refused submit per Retry-After, not one per waiting item: every refusal is a
 * request of the key's per-minute budget spent on nothing.
 */

import { sleepUnlessAborted, throwIfAborted, unlessAborted, type Runtime } from '../runtime';

/** The outcome of one submit attempt, told back to the slots: the first word counts, any later one is ignored. */
export interface SlotTicket {
	/** Accepted: the key has room again. */
	accepted(): void;
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

	constructor(private readonly runtime: Pick<Runtime, 'now' | 'sleep'>) {}

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
			if (now < this.fullUntil) {
				if (this.fullUntil >= deadline) return undefined;
				await sleepUnlessAborted(this.runtime.sleep, this.fullUntil - now, signal);
				continue;
			}
			if (this.probe) {
				// Its answer, or this caller's deadline, whichever comes first.
				const waits = [this.probe];
				if (Number.isFinite(deadline)) waits.push(this.runtime.sleep(Math.min(deadline - now, 1_000)));
				await unlessAborted(Promise.race(waits), signal);
				continue;
			}
			if (!this.full) return ticket({ refused: (ms) => this.refuse(ms) });
			let answered!: () => void;
			this.probe = new Promise<void>((resolve) => (answered = resolve));
			const settle = () => {
				this.probe = undefined;
				answered();
			};
			return ticket({
				// Room for one says nothing of room for all that wait: they go on one at a time.
				accepted: () => {
					if (this.waiting === 0) this.full = false;
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

	private refuse(retryAfterMs: number): void {
		this.full = true;
		this.fullUntil = Math.max(this.fullUntil, this.runtime.now() + retryAfterMs);
	}
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
