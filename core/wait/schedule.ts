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
	/** Never wait longer than this between polls (failures and cancels surface within it). */
	maxDelayMs: number;
	/** Steady interval when the API reports no progress. */
	blindIntervalMs: number;
	/** How far past the predicted end the closing poll lands. */
	arrivalMarginMs: number;
	/** Interval once the predicted end has passed without completion. */
	overdueIntervalMs: number;
}

export const DEFAULT_TUNING: ScheduleTuning = {
	minDelayMs: 250,
	maxDelayMs: 20_000,
	blindIntervalMs: 3_500,
	arrivalMarginMs: 120,
	overdueIntervalMs: 400,
};

/** What the schedule remembers of one job. */
export class JobTrack {
	/** First answer that carried a progress figure while running. */
	private firstProgress?: Observation;
	/** Latest answer. */
	last?: Observation;
	private blindPolls = 0;
	private overduePolls = 0;

	constructor(private readonly tuning: ScheduleTuning = DEFAULT_TUNING) {}

	record(observation: Observation): void {
		this.last = observation;
		if (observation.status === 'IN_PROGRESS' && typeof observation.progress === 'number') {
			if (!this.firstProgress || observation.progress < this.firstProgress.progress!) this.firstProgress = observation;
		}
	}

	/** Predicted completion time (epoch ms) from the measured progress rate, if any. */
	predictedEnd(): number | undefined {
		const first = this.firstProgress;
		const last = this.last;
		if (!first || !last || last.status !== 'IN_PROGRESS' || typeof last.progress !== 'number') return undefined;
		const gained = last.progress - first.progress!;
		const elapsed = last.at - first.at;
		if (gained <= 0 || elapsed <= 0) return undefined;
		const ratePerMs = gained / elapsed;
		return last.at + (100 - last.progress) / ratePerMs;
	}

	/** Milliseconds from `now` until the next poll. */
	nextDelay(now: number): number {
		const { tuning } = this;
		const last = this.last;
		if (!last) return 0;
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
		const end = this.predictedEnd();
		const first = this.firstProgress!;
		const last = this.last!;
		if (end === undefined) {
			// One figure so far (or no movement yet): sample again soon to measure the rate,
			// backing off while progress stays still.
			const still = last.at - first.at;
			return Math.max(1_500, still);
		}
		const remaining = end - now;
		if (remaining <= tuning.arrivalMarginMs) {
			// Past the predicted end: poll tightly, easing off slowly if the job lingers.
			return tuning.overdueIntervalMs * 1.25 ** this.overduePolls++;
		}
		// Progress is reported in whole percent, so the measured rate is off by up to one
		// point over the points gained; trust the prediction accordingly.
		const gained = Math.max(1, (last.progress as number) - (first.progress as number));
		const uncertainty = remaining * (1.5 / gained) + 300;
		const approach = remaining - uncertainty;
		if (approach >= 1_000) return approach;
		// Close to the end: land just after it when sure, else take one more sample midway.
		if (uncertainty > 1_500) return Math.max(1_000, remaining / 2);
		return remaining + tuning.arrivalMarginMs;
	}
}

function clamp(value: number, min: number, max: number): number {
	return Math.min(max, Math.max(min, value));
}
