/**
 * How long a kind of generation (a model and the inputs that change its run time, see
 * `runTimeKind`) took lately on a key: in a batch, the first few teach
 * the rest when to look. The first look at a new generation then lands just after its
 * expected end, instead of two early looks to measure its progress rate: on a key bound by
 * its requests per minute, fewer looks per generation is a shorter batch.
 *
 * Until one of a kind completed, the generations submitted after the first wait for it
 * rather than each measuring their own; but never past the end it predicts for itself, nor
 * so long that they could not look once before their own deadline.
 *
 * A sample is the API's own run time (`completed_at − created_at`), bounded by what this
 * client saw (from its submit's answer to the answer that showed the end), since that
 * bound is on the caller's clock whatever the API's timestamps say.
 */

import type { RequestResponse } from '../http/wire';

/** The latest samples kept per kind. */
const KEPT = 9;

export class RunTimes {
	private readonly byKind = new Map<string, number[]>();
	/** Per kind, while none of its run times is known: the generation measuring one, and the end it predicts for itself. */
	private readonly measuring = new Map<string, { measured: Promise<void>; predictedEnd?: number }>();

	/**
	 * Learns from a generation of `kind` (see `runTimeKind`) seen to complete: `seenMs`
	 * from its submit's answer to the answer that showed it done.
	 */
	record(kind: string, answer: RequestResponse, seenMs: number): void {
		if (answer.status !== 'COMPLETED') return;
		const ran = Date.parse(answer.completed_at ?? '') - Date.parse(answer.created_at ?? '');
		if (!Number.isFinite(ran) || ran <= 0) return;
		const samples = this.byKind.get(kind) ?? [];
		samples.push(Math.min(ran, seenMs));
		if (samples.length > KEPT) samples.shift();
		this.byKind.set(kind, samples);
	}

	/** The median of the latest run times of `kind`, once one was seen. */
	expected(kind: string): number | undefined {
		const samples = this.byKind.get(kind);
		if (!samples?.length) return undefined;
		const sorted = [...samples].sort((a, b) => a - b);
		return sorted[Math.floor(sorted.length / 2)];
	}

	/**
	 * For a generation of `kind` while none of its run times is known. The first one measures
	 * its own (looks early to read its progress rate) and calls `done` when it ends, whatever
	 * the outcome; those submitted while it does wait for `measured` and take its run time as
	 * theirs. A batch's first wave then costs one look per generation, not three each: the
	 * generations of a wave were submitted together and end together.
	 */
	measure(
		kind: string,
	):
		| { done: () => void; predict: (end: number | undefined) => void }
		| { measured: Promise<void>; predictedEnd: () => number | undefined } {
		const measuring = this.measuring.get(kind);
		if (measuring) return { measured: measuring.measured, predictedEnd: () => measuring.predictedEnd };
		let done!: () => void;
		const entry: { measured: Promise<void>; predictedEnd?: number } = {
			measured: new Promise<void>((resolve) => (done = resolve)),
		};
		this.measuring.set(kind, entry);
		return {
			done: () => {
				if (this.measuring.get(kind) === entry) this.measuring.delete(kind);
				done();
			},
			predict: (end) => (entry.predictedEnd = end),
		};
	}
}

/** Inputs that don't change how long a generation runs: its words and its seed. */
const NOT_RUN_TIME = new Set(['prompt', 'negative_prompt', 'seed']);

/**
 * What a generation's run time is learned under: its model and the inputs that change it
 * (duration, resolution, number of images, a start image or references…). A 5 s video does
 * not teach a 10 s one when to look, nor a text-to-video an image-to-video.
 */
export function runTimeKind(model: string, input: Record<string, unknown>): string {
	const parts = Object.keys(input)
		.filter((key) => !NOT_RUN_TIME.has(key) && input[key] !== undefined)
		.sort()
		.map((key) => `${key}=${shapeOf(input[key])}`);
	return [model, ...parts].join(' ');
}

/** A value as far as run time goes: which URL doesn't matter, how many may. */
function shapeOf(value: unknown): string {
	if (Array.isArray(value)) return `[${value.length}]`;
	if (typeof value === 'string' && /^https?:\/\//i.test(value)) return 'url';
	return JSON.stringify(value)?.slice(0, 64) ?? String(value);
}
