/**
 * When a webhook says one generation of a batch ended: have they all, and is this the
 * delivery that should resume the work? Nothing is kept between two deliveries (a parked
 * n8n execution saves nothing until it resumes), so each delivery asks the API.
 *
 * Exactly one delivery resumes: the one for the generation that ended last (by the API's
 * `completed_at`). It is sent after every other generation ended, so it always finds them
 * all ended; every other delivery either finds one still running or one that ended after
 * its own, and stops there. Deliveries that end together (a batch of images) thus resume
 * once, not once each. The resuming delivery has read every result once, and those reads
 * are the results: the webhook body is a hint, the API the truth.
 *
 * An ended generation's answer never changes, so deliveries that arrive together share their
 * reads through `EndedAnswers` (one per key and process): a batch ending at once costs about
 * one read per generation, not one per generation per delivery.
 */

import { keepRequestId } from '../errors';
import { isTerminal, type RequestResponse } from '../http/wire';
import { resultFromAnswer, type GenerationResult } from '../result';
import type { GenerationContext } from './context';
import { checkRequestId } from './requests';

/** Answers of ended generations, kept a while; reads under way are shared by whoever asks meanwhile. */
export class EndedAnswers {
	private readonly entries = new Map<string, { answer: Promise<RequestResponse>; at: number }>();

	constructor(
		private readonly now: () => number,
		private readonly keepMs = 10 * 60_000,
		private readonly max = 5_000,
	) {}

	read(requestId: string, fetch: () => Promise<RequestResponse>): Promise<RequestResponse> {
		const now = this.now();
		for (const [id, entry] of this.entries) {
			if (now - entry.at <= this.keepMs && this.entries.size <= this.max) break;
			this.entries.delete(id);
		}
		const kept = this.entries.get(requestId);
		if (kept) return kept.answer;
		const answer = fetch();
		this.entries.set(requestId, { answer, at: now });
		// Only an ended generation's answer is kept; a running one is asked again next time.
		answer.then(
			(read) => !isTerminal(read) && this.entries.delete(requestId),
			() => this.entries.delete(requestId),
		);
		return answer;
	}
}

export type BatchState =
	/** Every generation ended and this delivery resumes: `results` in the order of `requestIds`. */
	| { resume: true; results: GenerationResult[]; asked: number }
	/** Not this delivery: one is still running, or another ended later (its delivery resumes). */
	| { resume: false; reason: 'running' | 'not_last'; asked: number };

/**
 * `requestIds` in submit order; `delivered` the one the webhook named (ended, per its webhook).
 * Asked first: the latest submission (it tends to end last), then the delivered one, then the rest.
 */
export async function batchState(
	context: GenerationContext,
	requestIds: readonly string[],
	delivered: string,
	ended: EndedAnswers = new EndedAnswers(context.client.runtime.now),
): Promise<BatchState> {
	const { client, signal, deadline, nextStep } = context;
	const others = requestIds.filter((id) => id !== delivered).reverse();
	const order = [...others.slice(0, 1), delivered, ...others.slice(1)];
	const answers = new Map<string, RequestResponse>();
	let asked = 0;
	for (const id of order) {
		const answer = await ended
			.read(id, () => client.result(checkRequestId(id), { signal, deadline }))
			.catch(keepRequestId(id));
		asked++;
		if (!isTerminal(answer)) return { resume: false, reason: 'running', asked };
		answers.set(id, answer);
		const own = answers.get(delivered);
		if (own && [...answers.values()].some((other) => endedLater(other, own)))
			return { resume: false, reason: 'not_last', asked };
	}
	return {
		resume: true,
		results: requestIds.map((id) => resultFromAnswer(answers.get(id)!, {}, nextStep)),
		asked,
	};
}

/** Whether `a` ended after `b`; equal times go to the larger request_id, so one of a batch is always last. */
function endedLater(a: RequestResponse, b: RequestResponse): boolean {
	const at = Date.parse(a.completed_at ?? '');
	const bt = Date.parse(b.completed_at ?? '');
	// Without both times no delivery can be told apart: each that finds all ended resumes.
	if (Number.isNaN(at) || Number.isNaN(bt)) return false;
	return at > bt || (at === bt && a.request_id > b.request_id);
}
