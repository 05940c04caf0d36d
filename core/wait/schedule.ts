/**
 * The wait schedule: when to look at a running generation next.
 *
 * The REST API has no long-poll and every poll spends the key's per-minute budget, yet
 * people want the result the moment it exists. So the schedule reads what each answer
 * tells: the queue position while queued; while running, the progress rate measured
 * between two answers, which predicts the end. Far from the predicted end it polls
 * rarely (a share of the remaining time, larger the surer the estimate), near it
 * tightly. Without progress it polls at a steady short interval, since nothing tells
 * the end is near.
 */

import type { GenerationStatus } from '../http/wire';

export interface Observation {
	/** Epoch ms when the answer arrived. */
	at: number;
	status: GenerationStatus;
	queuePosition?: number | null;
	progress?: number | null;
}

export interface ScheduleTuning {
	/** Never poll sooner than this after the previous answer. */
	minDelayMs: number;
	/** Never wait longer than this between polls (failures and cancels surface within it)… */
	maxDelayMs: number;
	/**
	 * …except for the one look a learned run time places: it may wait this long, so a batch's
	 * later videos cost one look each, and a failure shows by the expected end at the latest.
	 */
	landingMaxDelayMs: number;
	/** Steady interval when the API reports no progress. */
	blindIntervalMs: number;
	/** When the predicted end is surer than this, one poll lands just after it. */
	landingToleranceMs: number;
	/** Interval inside the window where the end may already have come. */
	closeIntervalMs: number;
}

export const DEFAULT_TUNING: ScheduleTuning = {
	minDelayMs: 250,
	maxDelayMs: 30_000,
	landingMaxDelayMs: 15 * 60_000,
	blindIntervalMs: 3_500,
	landingToleranceMs: 900,
	closeIntervalMs: 400,
};

/** What the schedule remembers of one job. */
export class JobTrack {
	/** First answer that carried a progress figure while running. */
	private firstProgress?: Observation;
	/** Latest answer. */
	last?: Observation;
	private blindPolls = 0;
	private closePolls = 0;

	constructor(
		private readonly tuning: ScheduleTuning = DEFAULT_TUNING,
		/** When the generation should end, from the model's recent run times (see RunTimes): the first look lands just after it. */
		private expectedEnd?: number,
	) {}

	record(observation: Observation): void {
		this.last = observation;
		if (observation.status === 'IN_PROGRESS' && typeof observation.progress === 'number') {
			if (!this.firstProgress || observation.progress < this.firstProgress.progress!) this.firstProgress = observation;
		}
	}

	/**
	 * The progress rate (points per ms) between the first and the latest figure, and the
	 * predicted completion time (epoch ms). Figures are whole points, floored, so each
	 * reading stands for the middle of its point.
	 */
	prediction(): { end: number; msPerPoint: number; gained: number } | undefined {
		const first = this.firstProgress;
		const last = this.last;
		if (!first || !last || last.status !== 'IN_PROGRESS' || typeof last.progress !== 'number') return undefined;
		const gained = last.progress - first.progress!;
		const elapsed = last.at - first.at;
		if (gained <= 0 || elapsed <= 0) return undefined;
		const msPerPoint = elapsed / gained;
		return { end: last.at + (100 - (last.progress + 0.5)) * msPerPoint, msPerPoint, gained };
	}

	/** Milliseconds from `now` until the next poll. */
	nextDelay(now: number): number {
		const { tuning } = this;
		const last = this.last;
		if (!last) return 0;
		const expectedEnd = this.expectedEnd;
		// Used once: after that look, what the answers tell takes over.
		this.expectedEnd = undefined;
		// Running, or next in line: a queue ahead of it would make the expected end too early.
		const underWay = last.status === 'IN_QUEUE' ? (last.queuePosition ?? 0) === 0 : last.status === 'IN_PROGRESS';
		if (expectedEnd !== undefined && underWay) {
			// Already past (it waited for another generation to learn it): look now. Else just after
			// it: a margin of 1% (run times of a kind vary a little) and never less than 150 ms.
			const left = Math.max(0, expectedEnd - now);
			return clamp(left + Math.max(150, 0.01 * left), tuning.minDelayMs, tuning.landingMaxDelayMs);
		}
		let delay: number;
		if (last.status === 'IN_QUEUE') {
			// Each place ahead is a job that has to start first; position 0 starts any moment.
			const position = Math.max(0, last.queuePosition ?? 0);
			delay = 1_000 + 750 * position;
		} else if (typeof last.progress === 'number') {
			delay = this.delayFromProgress(now);
		} else {
			// No progress figures: a steady beat whose half is the expected detection latency.
			delay = Math.min(tuning.blindIntervalMs, 1_000 * 1.5 ** this.blindPolls++);
		}
		return clamp(delay, tuning.minDelayMs, tuning.maxDelayMs);
	}

	private delayFromProgress(now: number): number {
		const { tuning } = this;
		const prediction = this.prediction();
		if (!prediction) {
			// One figure so far (or no movement yet): sample again soon to measure the rate,
			// backing off while progress stays still.
			const still = this.last!.at - this.firstProgress!.at;
			return Math.max(1_500, still);
		}
		const remaining = prediction.end - now;
		// How wrong the predicted end may be: half a point from flooring, plus the rate's
		// error (one point over the points gained) carried over the remaining time.
		const uncertainty = 0.5 * prediction.msPerPoint + (Math.max(0, remaining) * 1.5) / prediction.gained + 150;
		if (uncertainty <= tuning.landingToleranceMs) {
			// Sure enough: land just after the end, once.
			this.closePolls = 0;
			return Math.max(0, remaining) + uncertainty;
		}
		const approach = remaining - uncertainty;
		if (approach >= 1_000 || prediction.gained < 3) {
			// Far from the end, or too few points to trust: a sample before the end refines it.
			this.closePolls = 0;
			return Math.max(approach, remaining / 2, 1_500);
		}
		// Inside the window where the end may already be: poll tightly, easing off slowly.
		return tuning.closeIntervalMs * 1.25 ** this.closePolls++;
	}
}

function clamp(value: number, min: number, max: number): number {
	return Math.min(max, Math.max(min, value));
}
