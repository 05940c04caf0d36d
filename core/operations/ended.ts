/**
 * When a webhook says one generation of a batch ended: have they all, and is this the
 * delivery that should resume the work? A parked n8n execution saves nothing until it
 * resumes, so what deliveries know of each other lives in the process that hears them
 * (`Deliveries`), and the API is asked for the truth.
 *
 * Exactly one delivery resumes. Within a process, a delivery that hears of a batch with
 * generations still unheard of waits a moment; a newer delivery of the same batch takes
 * over from it without a read. The delivery that completes the set goes on at once, so the
 * batch goes on the moment its last generation is reported. Across processes (webhook
 * processors, a restart between deliveries), the waiting delivery asks the API when no
 * newer one came, and the generation that ended last (by `completed_at`) decides: only the
 * process that heard of it resumes.
 *
 * A delivery's signature proves its body is Clipia's, so a success it reports whole (model,
 * cost, every medium's URL) is that generation's result: a batch whose deliveries all came
 * here resumes with no read at all. The API is read for what a body does not tell (a
 * failure or cancel, an output without URLs), for generations not heard of here, and, when
 * those ended, for the times that say which ended last.
 *
 * An ended generation's answer never changes, so deliveries share their reads through
 * `EndedAnswers` (one per key and process).
 */

import { keepRequestId } from '../errors';
import { isTerminal, type RequestResponse } from '../http/wire';
import { resultFromAnswer, type GenerationResult } from '../result';
import type { GenerationContext } from './context';
import { checkRequestId } from './requests';
import { sleepUnlessAborted, type Runtime } from '../runtime';

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
	/**
	 * Not this delivery: one is still running; one this process has not heard of ended last
	 * (its delivery resumes); a newer delivery took over; or the batch already resumed here.
	 */
	| { resume: false; reason: 'running' | 'not_last' | 'superseded' | 'resumed'; asked: number };

/** What this process heard of one parked batch. */
interface HeardBatch {
	heard: Set<string>;
	/** The answers signed bodies gave whole, by request_id. */
	told: Map<string, RequestResponse>;
	/** The delivery waiting for a newer one, woken when one comes. */
	waiting?: AbortController;
	resumed: boolean;
	at: number;
}

/**
 * The verified deliveries one process hears, per batch, shared by every delivery on a key.
 * `settleMs` is how long a delivery waits for a newer one before it asks the API itself; it
 * and the reads after it must fit in the time Clipia gives a delivery (10 s).
 */
export class Deliveries {
	readonly ended: EndedAnswers;
	private readonly batches = new Map<string, HeardBatch>();

	constructor(
		private readonly runtime: Pick<Runtime, 'now' | 'sleep'>,
		private readonly settleMs = 3_000,
		/** A batch can be parked for as long as Max Wait allows; a day covers it. */
		private readonly keepMs = 24 * 60 * 60_000,
		private readonly max = 5_000,
	) {
		this.ended = new EndedAnswers(runtime.now);
	}

	/**
	 * Hears a verified delivery for `delivered`, one of `requestIds` (in submit order), and
	 * decides. `told` is the generation's answer when the signed body gave it whole.
	 */
	async decide(
		context: GenerationContext,
		requestIds: readonly string[],
		delivered: string,
		told?: RequestResponse,
	): Promise<BatchState> {
		const batch = this.batchOf(requestIds);
		batch.heard.add(delivered);
		// A verified delivery is sent when its generation ends: its place on the key is free.
		if (requestIds.includes(delivered)) context.client.budget.slots.ended(delivered);
		if (told && told.request_id === delivered && isTerminal(told)) batch.told.set(delivered, told);
		batch.waiting?.abort();
		batch.waiting = undefined;
		if (batch.resumed) return { resume: false, reason: 'resumed', asked: 0 };
		if (!requestIds.every((id) => batch.heard.has(id))) {
			const waiting = (batch.waiting = new AbortController());
			try {
				await sleepUnlessAborted(this.runtime.sleep, this.settleMs, waiting.signal);
			} catch {
				return { resume: false, reason: 'superseded', asked: 0 };
			} finally {
				if (batch.waiting === waiting) batch.waiting = undefined;
			}
		}
		const state = await batchState(context, requestIds, batch.heard, this.ended, batch.told);
		if (!state.resume) return state;
		// Two deliveries of one batch may both find it ended; the first resumes it.
		if (batch.resumed) return { resume: false, reason: 'resumed', asked: state.asked };
		batch.resumed = true;
		return state;
	}

	private batchOf(requestIds: readonly string[]): HeardBatch {
		const now = this.runtime.now();
		for (const [key, entry] of this.batches) {
			if (now - entry.at <= this.keepMs && this.batches.size <= this.max) break;
			this.batches.delete(key);
		}
		const key = requestIds.join(' ');
		const batch = this.batches.get(key) ?? {
			heard: new Set<string>(),
			told: new Map<string, RequestResponse>(),
			resumed: false,
			at: now,
		};
		batch.at = now;
		// Re-inserted, so the map stays in order of last use and the oldest go first.
		this.batches.delete(key);
		this.batches.set(key, batch);
		return batch;
	}
}

/**
 * Asks the API whether every generation of `requestIds` (submit order) ended, and whether
 * the one that ended last is among those `heard` of here. Asked first: those not heard of,
 * the latest submission first (it tends to end last); the first still running stops it.
 * When every one was heard of here, this process heard the last, and those `told` (whole,
 * in a signed body) need no read.
 */
export async function batchState(
	context: GenerationContext,
	requestIds: readonly string[],
	heard: ReadonlySet<string>,
	ended: EndedAnswers = new EndedAnswers(context.client.runtime.now),
	told: ReadonlyMap<string, RequestResponse> = new Map(),
): Promise<BatchState> {
	const { client, signal, deadline } = context;
	const unheard = requestIds.filter((id) => !heard.has(id)).reverse();
	const order = [...unheard, ...requestIds.filter((id) => heard.has(id))];
	const answers = new Map<string, RequestResponse>();
	let asked = 0;
	for (const id of order) {
		const given = unheard.length === 0 ? told.get(id) : undefined;
		if (given) {
			answers.set(id, given);
			continue;
		}
		const answer = await ended
			.read(id, () => client.result(checkRequestId(id), { signal, deadline }))
			.catch(keepRequestId(id));
		asked++;
		if (!isTerminal(answer)) return { resume: false, reason: 'running', asked };
		answers.set(id, answer);
	}
	const last = lastToEnd(answers);
	if (last !== undefined && !heard.has(last)) return { resume: false, reason: 'not_last', asked };
	return {
		resume: true,
		results: requestIds.map((id) => resultFromAnswer(answers.get(id)!, {}, context.nextStep)),
		asked,
	};
}

/**
 * The request_id of the generation that ended last; equal times go to the larger request_id,
 * so one of a batch is always last. Without every time, none can be told apart: whoever asks
 * may resume (undefined).
 */
function lastToEnd(answers: ReadonlyMap<string, RequestResponse>): string | undefined {
	let last: { id: string; at: number } | undefined;
	for (const [id, answer] of answers) {
		const at = Date.parse(answer.completed_at ?? '');
		if (Number.isNaN(at)) return undefined;
		if (!last || at > last.at || (at === last.at && id > last.id)) last = { id, at };
	}
	return last?.id;
}
