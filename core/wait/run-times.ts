/**
 * How long a model's generations took lately on a key: in a batch, the first few teach
 * the rest when to look. The first look at a new generation then lands just after its
 * expected end, instead of two early looks to measure its progress rate: on a key bound by
 * its requests per minute, fewer looks per generation is a shorter batch.
 *
 * Until one of a model completed, the generations submitted after the first wait for it
 * rather than each measuring their own.
 *
 * A sample is the API's own run time (`completed_at − created_at`), bounded by what this
 * client saw (from its submit's answer to the answer that showed the end), since that
 * bound is on the caller's clock whatever the API's timestamps say.
 */

import type { RequestResponse } from '../http/wire';

/** The latest samples kept per model. */
const KEPT = 9;

export class RunTimes {
	private readonly byModel = new Map<string, number[]>();
	/** Per model, while none of its run times is known: the end of the generation measuring one. */
	private readonly measuring = new Map<string, Promise<void>>();

	/** Learns from a generation of `model` seen to complete: `seenMs` from its submit's answer to the answer that showed it done. */
	record(model: string, answer: RequestResponse, seenMs: number): void {
		if (answer.status !== 'COMPLETED') return;
		const ran = Date.parse(answer.completed_at ?? '') - Date.parse(answer.created_at ?? '');
		if (!Number.isFinite(ran) || ran <= 0) return;
		const samples = this.byModel.get(model) ?? [];
		samples.push(Math.min(ran, seenMs));
		if (samples.length > KEPT) samples.shift();
		this.byModel.set(model, samples);
	}

	/** The median of the latest run times of `model`, once one was seen. */
	expected(model: string): number | undefined {
		const samples = this.byModel.get(model);
		if (!samples?.length) return undefined;
		const sorted = [...samples].sort((a, b) => a - b);
		return sorted[Math.floor(sorted.length / 2)];
	}

	/**
	 * For a generation of `model` while none of its run times is known. The first one measures
	 * its own (looks early to read its progress rate) and calls `done` when it ends, whatever
	 * the outcome; those submitted while it does wait for `measured` and take its run time as
	 * theirs. A batch's first wave then costs one look per generation, not three each: the
	 * generations of a wave were submitted together and end together.
	 */
	measure(model: string): { done: () => void } | { measured: Promise<void> } {
		const measured = this.measuring.get(model);
		if (measured) return { measured };
		let done!: () => void;
		this.measuring.set(model, new Promise<void>((resolve) => (done = resolve)));
		return {
			done: () => {
				this.measuring.delete(model);
				done();
			},
		};
	}
}

const runTimesByKey = new WeakMap<object, RunTimes>();

/**
 * The run times of one key: kept beside `keyShare`, the object every client of the key in a
 * process shares (its request budget), so each execution and tool call learns from the others.
 */
export function runTimesOf(keyShare: object): RunTimes {
	let runTimes = runTimesByKey.get(keyShare);
	if (!runTimes) runTimesByKey.set(keyShare, (runTimes = new RunTimes()));
	return runTimes;
}
