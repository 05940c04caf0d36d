/**
 * Waiting for generations: polls each one on its schedule until it ends, the deadline
 * passes or the caller cancels. Every poll goes through the client, so all jobs in flight
 * share the client's request budget.
 */

import { LAST_ANSWER_MS } from '../deadlines';
import { ClipiaError } from '../errors';
import type { ClipiaClient } from '../http/client';
import { isTerminal, type RequestResponse } from '../http/wire';
import { settle, sleepUnlessAborted, unlessAborted } from '../runtime';
import type { RunTimes } from './run-times';
import { DEFAULT_TUNING, JobTrack, type Observation } from './schedule';

export interface WaitOptions {
	/** Give up (returning the last answer, still running) at this epoch ms. */
	deadline: number;
	/**
	 * No poll outlives this (default: `deadline` plus a short grace for the last poll), so a
	 * slow or throttling API can't hold the wait past it.
	 */
	hardDeadline?: number;
	signal?: AbortSignal;
	/** An answer already in hand (the submit's), so the first poll can wait. */
	initial?: Observation;
	/** Called with every answer, e.g. to send progress notifications. */
	onUpdate?: (answer: RequestResponse) => void;
	/** Keep retrying 429s until the deadline (batches). */
	patientWithRateLimits?: boolean;
	/** The key's recent run times and this generation's kind (`runTimeKind`): the first look lands near its expected end, and its own run time is learned. */
	runTimes?: { of: RunTimes; kind: string };
}

/**
 * Polls `GET /v1/requests/{id}` (one request tells status and, once done, the result)
 * until the generation is terminal or the deadline passes. Returns the last answer.
 */
export async function waitForGeneration(
	client: ClipiaClient,
	requestId: string,
	options: WaitOptions,
): Promise<RequestResponse> {
	const { runtime } = client;
	const { initial, runTimes } = options;
	let expected = initial && runTimes ? runTimes.of.expected(runTimes.kind) : undefined;
	if (!initial || !runTimes || expected !== undefined) return poll(client, requestId, options, expected);
	const turn = runTimes.of.measure(runTimes.kind);
	if ('done' in turn) return poll(client, requestId, options, undefined, turn.predict).finally(turn.done);
	// Another generation of this kind, submitted earlier, is measuring the run time this one will
	// have. Its end is waited for, but not long past the end it predicts for itself (it may be an
	// unusually slow one), and never so long that this one could not look once before its deadline.
	for (;;) {
		const now = runtime.now();
		const predicted = turn.predictedEnd();
		const until = Math.min(
			options.deadline - ONE_LOOK_MS,
			predicted === undefined ? Infinity : predicted + FOLLOW_PAST_PREDICTION_MS,
		);
		if (now >= until) break;
		const measured = await unlessAborted(
			Promise.race([turn.measured.then(() => true), runtime.sleep(Math.min(until - now, 5_000)).then(() => false)]),
			options.signal,
		);
		if (measured) break;
	}
	expected = runTimes.of.expected(runTimes.kind);
	return poll(client, requestId, options, expected);
}

/**
 * Polls until the generation ends; `expected`, its kind's run time, places the first look.
 * A generation measuring its kind's run time tells `predict` the end its progress points to.
 */
async function poll(
	client: ClipiaClient,
	requestId: string,
	options: WaitOptions,
	expected?: number,
	predict?: (end: number | undefined) => void,
): Promise<RequestResponse> {
	const { runtime } = client;
	const { initial, runTimes } = options;
	const track = new JobTrack(DEFAULT_TUNING, expected === undefined ? undefined : initial!.at + expected);
	if (initial) track.record(initial);
	let nextDelay = track.nextDelay(runtime.now());
	let last: RequestResponse | undefined;
	let lastError: ClipiaError | undefined;
	let looks = 0;
	const hardDeadline = options.hardDeadline ?? options.deadline + LAST_POLL_GRACE_MS;

	for (;;) {
		const remaining = options.deadline - runtime.now();
		if (remaining <= 0 && (last || lastError || options.initial)) {
			// Out of time: the freshest state known, which always carries the request_id.
			if (last) return last;
			if (options.initial)
				return {
					request_id: requestId,
					status: options.initial.status,
					queue_position: options.initial.queuePosition ?? null,
				};
			throw lastError;
		}
		await sleepUnlessAborted(runtime.sleep, Math.min(nextDelay, Math.max(0, remaining)), options.signal);

		looks++;
		const poll = await settle(
			client.result(requestId, {
				signal: options.signal,
				deadline: hardDeadline,
				rateLimitDeadline: options.patientWithRateLimits ? options.deadline : undefined,
			}),
		);
		if (!poll.ok) {
			if (!(poll.error instanceof ClipiaError) || !poll.error.retryable) throw poll.error;
			// The service is unwell, not the job: keep the request_id and keep waiting.
			lastError = poll.error;
			nextDelay = UNWELL_SERVICE_PAUSE_MS;
			continue;
		}
		last = poll.value;
		options.onUpdate?.(last);
		if (isTerminal(last)) {
			if (initial && runTimes) {
				// Found done at the first look, which the run times placed: it ended by then, maybe
				// well before. Counting the look's own margin would make the estimate creep.
				const seen = runtime.now() - initial.at;
				runTimes.of.record(
					runTimes.kind,
					last,
					looks === 1 && expected !== undefined ? Math.min(seen, expected) : seen,
				);
			}
			return last;
		}
		track.record({
			at: runtime.now(),
			status: last.status,
			queuePosition: last.queue_position,
			progress: last.progress,
		});
		predict?.(track.prediction()?.end);
		nextDelay = track.nextDelay(runtime.now());
	}
}

/** How long the poll that starts at the deadline may take. */
const LAST_POLL_GRACE_MS = LAST_ANSWER_MS;

/** What one look may take: a generation waiting for another's measurement still looks this long before its deadline. */
export const ONE_LOOK_MS = 1_000;

/** How long past the end the measuring generation predicts for itself the others wait for it. */
const FOLLOW_PAST_PREDICTION_MS = 2_000;

/** After the client's own retries gave up on a poll, wait this long before the next one. */
const UNWELL_SERVICE_PAUSE_MS = 5_000;
