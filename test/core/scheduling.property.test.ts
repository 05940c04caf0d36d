/**
 * The scheduling layer (client, request budget, generation slots, run times, waiter) under
 * generated attacks: random interleavings of generations and catalog calls on one key, with
 * cancels, deadlines, 429 storms with and without Retry-After, "too many at once" refusals
 * (a key of 1–4 generations), stalled and slow answers, two durations of one model.
 * Each case runs on a fake clock that jumps from one wake-up to the next.
 *
 * Invariants, checked on every case:
 * 1. every call settles by its deadline (plus SETTLE_MARGIN_MS), or soon after its cancel;
 * 2. once every caller has settled, nothing holds a slot, a turn or a budget booking: a new
 *    submit on a key with room goes out at once and is accepted;
 * 3. a submit is never sent again without its original Idempotency-Key (no double charge);
 * 4. requests stay within the key's published per-minute limit;
 * 5. (on a key without faults or contention) a generation that ended before its wait's
 *    deadline minus one look's time is reported terminal, having been looked at;
 * 6. for a minute after a submit is refused for too many at once, submits go one at a time:
 *    none is sent while another awaits its answer (unless that one has waited STALE_SUBMIT_MS,
 *    a stalled answer).
 */

import fc from 'fast-check';
import {
	callDeadlines,
	ClipiaClient,
	getBalance,
	isTerminal,
	KeyState,
	runGeneration,
	prepareVideo,
	type GenerationResult,
} from '../../core';
import { ONE_LOOK_MS } from '../../core/wait/waiter';
import { FakeKey, type Fault } from '../helpers/fake-key';
import { nextStep } from '../helpers/runtime';

const BASE = 'https://api.clipia.ai';
/** A call may end this long after its deadline: the last answer's own bookkeeping, on the fake clock. */
const SETTLE_MARGIN_MS = 50;
/** A submit unanswered this long no longer holds the next back (GenerationSlots). */
const STALE_SUBMIT_MS = 2_000;
/** After a refusal for too many at once, submits go one at a time this long (GenerationSlots). */
const CONTENDED_MS = 60_000;
/** A bridge call that does not wait answers within this. */
const QUICK_MS = 20_000;

interface Op {
	at: number;
	kind: 'generate' | 'catalog';
	duration: 5 | 10;
	runMs: number;
	waitSeconds: number;
	cancelAfter?: number;
}

const op = fc.record({
	at: fc.integer({ min: 0, max: 20_000 }),
	kind: fc.constantFrom<'generate' | 'catalog'>('generate', 'generate', 'generate', 'catalog'),
	duration: fc.constantFrom<5 | 10>(5, 10),
	runMs: fc.integer({ min: 300, max: 90_000 }),
	waitSeconds: fc.integer({ min: 0, max: 60 }),
	cancelAfter: fc.option(fc.integer({ min: 0, max: 40_000 }), { nil: undefined }),
});

const fault: fc.Arbitrary<Fault> = fc.oneof(
	{ weight: 4, arbitrary: fc.constant<Fault>({ kind: 'none' }) },
	fc.record({
		kind: fc.constant('storm' as const),
		retryAfterSeconds: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
	}),
	fc.constant<Fault>({ kind: 'stall' }),
	fc.record({ kind: fc.constant('slow' as const), ms: fc.integer({ min: 100, max: 40_000 }) }),
);

interface Outcome {
	op: Op;
	index: number;
	started: number;
	deadline: number;
	cancelAt?: number;
	settledAt?: number;
	result?: GenerationResult;
	error?: unknown;
}

/** Runs `ops` on one key; returns what each call did. */
async function play(key: FakeKey, ops: Op[]): Promise<Outcome[]> {
	const state = new KeyState(key.runtime);
	const outcomes: Outcome[] = [];
	const calls = ops.map(async (one, index) => {
		await key.clock.sleep(one.at);
		const client = new ClipiaClient(key.runtime, { baseUrl: BASE, key: state });
		const started = key.clock.now();
		const cancel = new AbortController();
		const outcome: Outcome = { op: one, index, started, deadline: 0 };
		outcomes.push(outcome);
		if (one.cancelAfter !== undefined) {
			outcome.cancelAt = started + one.cancelAfter;
			void key.clock.sleep(one.cancelAfter).then(() => cancel.abort());
		}
		try {
			if (one.kind === 'catalog') {
				outcome.deadline = started + QUICK_MS;
				await getBalance({ client, signal: cancel.signal, deadline: outcome.deadline });
			} else {
				// As a Generate node item does: Max Wait bounds it all (or the submit patience when it does not wait).
				outcome.deadline = callDeadlines(started, one.waitSeconds || 60).deadline;
				outcome.result = await runGeneration(
					{ client, signal: cancel.signal, deadline: outcome.deadline, nextStep },
					prepareVideo({ prompt: `clip ${index}`, model: 'kling-3', duration: one.duration }),
					{ waitSeconds: one.waitSeconds, patientWithRateLimits: true },
				);
			}
		} catch (error) {
			outcome.error = error;
		}
		outcome.settledAt = key.clock.now();
	});
	await key.settle(calls);
	// Invariant 2: nothing is held. Past every pause and every generation, a new submit goes out at once.
	await key.clock.advance(200_000);
	key.faults = [];
	const before = key.requests.filter((request) => request.method === 'POST').length;
	const fresh = new ClipiaClient(key.runtime, { baseUrl: BASE, key: state });
	const freshStarted = key.clock.now();
	const [last] = await key.settle([
		fresh.submit('kling-3', { prompt: 'after', duration: 5 }, { deadline: freshStarted + QUICK_MS }),
	]);
	if (last.status === 'rejected') throw new Error(`a new submit on a key with room failed: ${String(last.reason)}`);
	expect(key.clock.now() - freshStarted).toBeLessThan(1_000);
	expect(key.requests.filter((request) => request.method === 'POST').length).toBe(before + 1);
	return outcomes;
}

function runMsOf(ops: Op[]) {
	return (input: Record<string, unknown>) => {
		const index = Number(String(input.prompt).split(' ')[1]);
		return Number.isFinite(index) ? ops[index].runMs : 5_000;
	};
}

function checkCommon(key: FakeKey, outcomes: Outcome[]): void {
	for (const outcome of outcomes) {
		// Invariant 1: settled by the deadline, or promptly after the cancel.
		const bound = Math.min(outcome.deadline, outcome.cancelAt ?? Infinity) + SETTLE_MARGIN_MS;
		expect(outcome.settledAt).toBeLessThanOrEqual(bound);
		// A generation that was submitted keeps its request_id, whatever happened next.
		if (outcome.result) expect(outcome.result.request_id).toBeTruthy();
	}
	// Invariant 3: one Idempotency-Key per submission, however often it was sent.
	const keysByBody = new Map<string, Set<string | undefined>>();
	for (const request of key.requests.filter((one) => one.method === 'POST' && !one.url.endsWith('/estimate'))) {
		const keys = keysByBody.get(request.body!) ?? new Set();
		keys.add(request.idempotencyKey);
		keysByBody.set(request.body!, keys);
	}
	for (const keys of keysByBody.values()) {
		expect(keys.size).toBe(1);
		expect([...keys][0]).toBeTruthy();
	}
	// Invariant 4: within the key's per-minute limit.
	expect(key.overLimit).toBe(0);
	// Invariant 6: one submit at a time for a minute after a refusal for too many at once.
	const submits = key.requests.filter((one) => one.method === 'POST' && !one.url.endsWith('/estimate'));
	for (const refusal of submits.filter((one) => one.tooManyAtOnce)) {
		const from = refusal.answeredAt!;
		// Sent after the refusal was answered (one sent at that very instant may have gone before it).
		for (const sent of submits.filter((one) => one.at > from && one.at < from + CONTENDED_MS)) {
			// Sent before it (the key's log is in the order requests arrived, instants may be equal).
			const overlapping = submits.filter(
				(other) =>
					submits.indexOf(other) < submits.indexOf(sent) &&
					(other.answeredAt ?? Infinity) > sent.at &&
					sent.at < other.at + STALE_SUBMIT_MS,
			);
			expect(overlapping).toEqual([]);
		}
	}
}

it('hostile keys: every call settles in time, nothing stays held, no submit without its key, no request over the limit', async () => {
	await fc.assert(
		fc.asyncProperty(
			fc.record({
				concurrency: fc.integer({ min: 1, max: 4 }),
				perMinute: fc.constantFrom(30, 120),
				ops: fc.array(op, { minLength: 1, maxLength: 6 }),
				faults: fc.array(fault, { maxLength: 12 }),
			}),
			async ({ concurrency, perMinute, ops, faults }) => {
				const key = new FakeKey({ concurrency, perMinute, runMs: runMsOf(ops) });
				key.faults = [...faults];
				checkCommon(key, await play(key, ops));
			},
		),
		{ numRuns: 2_000 },
	);
}, 120_000);

it('a key without faults or contention: a generation that ended before its deadline minus one look is reported terminal', async () => {
	await fc.assert(
		fc.asyncProperty(
			fc.array(
				op.map((one) => ({ ...one, kind: 'generate' as const, cancelAfter: undefined })),
				{ minLength: 1, maxLength: 6 },
			),
			async (ops) => {
				const key = new FakeKey({ concurrency: 10, perMinute: 6_000, runMs: runMsOf(ops) });
				const outcomes = await play(key, ops);
				checkCommon(key, outcomes);
				for (const outcome of outcomes) {
					if (!outcome.op.waitSeconds) continue;
					expect(outcome.error).toBeUndefined();
					const job = key.jobs.get(outcome.result!.request_id)!;
					const looked = key.requests.some((request) => request.method === 'GET' && request.url.endsWith(job.id));
					if (job.end <= outcome.started + outcome.op.waitSeconds * 1_000 - ONE_LOOK_MS) {
						expect(isTerminal(outcome.result!)).toBe(true);
						expect(looked).toBe(true);
					}
				}
			},
		),
		{ numRuns: 1_000 },
	);
}, 120_000);
