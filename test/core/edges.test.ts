/**
 * The scheduling layer at its edges, each a defect met in ordinary use (a cancel while the
 * key is full, a short generation behind a long one, a catalog call in a 429 storm), held
 * by a test that fails without its fix. A fake key on a stepped clock.
 */

import {
	callDeadlines,
	ClipiaClient,
	generateVideo,
	getBalance,
	KeyState,
	listModels,
	type ClipiaError,
	type GenerationResult,
} from '../../core';
import { RunTimes, runTimeKind } from '../../core/wait/run-times';
import { waitForGeneration } from '../../core/wait/waiter';
import { FakeKey } from '../helpers/fake-key';
import { nextStep } from '../helpers/runtime';

const BASE = 'https://api.clipia.ai';

it('a submit cancelled while it waits for a full, paused key gives its turn back: the next submit goes out once the key has room', async () => {
	const key = new FakeKey({ concurrency: 1, runMs: () => 1_500 });
	const state = new KeyState(key.runtime);
	const client = () => new ClipiaClient(key.runtime, { baseUrl: BASE, key: state });
	// The key runs one generation: the next submit is refused "too many at once" (Retry-After 2 s), the key is full.
	const first = await key.until([client().submit('flux-2', { prompt: 'first' })]);
	expect(first[0].status).toBe('fulfilled');
	const cancel = new AbortController();
	const waiting = client().submit(
		'flux-2',
		{ prompt: 'cancelled' },
		{ signal: cancel.signal, deadline: key.clock.now() + 60_000 },
	);
	const runFor = (ms: number) => key.until([waiting.catch(() => undefined)], 100, ms).catch(() => undefined);
	await runFor(300);
	expect(key.requests.filter((request) => request.method === 'POST')).toHaveLength(2);
	// Then a read meets an exhausted minute: every request on the key pauses for 14 s. At 2 s the
	// refused submit tries again, alone (the key is full), and waits for the budget; it is cancelled at 3 s.
	key.faults.push({ kind: 'storm', retryAfterSeconds: 14 });
	const read = client().result('00000001-aaaa-4bbb-8ccc-dddddddddddd', { deadline: key.clock.now() + 2_000 });
	await key.until([read.catch(() => undefined)]);
	await runFor(3_000);
	cancel.abort();
	const [cancelled] = await key.until([waiting]);
	expect(cancelled.status).toBe('rejected');
	// Later, the key has room again: a new submit (a new execution, a new tool call) is accepted.
	await key.clock.advance(20_000);
	const sentBefore = key.requests.filter((request) => request.method === 'POST').length;
	const started = key.clock.now();
	const [next] = await key.until([client().submit('flux-2', { prompt: 'next' }, { deadline: started + 20_000 })]);
	if (next.status === 'rejected') throw next.reason;
	expect(next).toMatchObject({ status: 'fulfilled', value: { status: 'IN_PROGRESS' } });
	expect(key.requests.filter((request) => request.method === 'POST').length).toBe(sentBefore + 1);
	expect(key.clock.now() - started).toBeLessThan(1_000);
});

it('a short generation behind a long one of the same model is reported done within its wait, having looked', async () => {
	const runs = [180_000, 10_000];
	let submitted = 0;
	const key = new FakeKey({ runMs: () => runs[submitted++] });
	const client = new ClipiaClient(key.runtime, { baseUrl: BASE });
	const runTimes = new RunTimes();
	const wait = async (prompt: string, waitMs: number) => {
		const answer = await client.submit('kling-3', { prompt, duration: 5 });
		return waitForGeneration(client, answer.request_id, {
			deadline: key.clock.now() + waitMs,
			initial: { at: key.clock.now(), status: answer.status },
			runTimes: { of: runTimes, kind: runTimeKind('kling-3', { prompt, duration: 5 }) },
		});
	};
	const long = wait('slow one', 300_000);
	await key.clock.advance(1_000);
	const short = wait('quick one', 60_000);
	const [, shortAnswer] = await key.until([long, short]);
	expect(shortAnswer).toMatchObject({ status: 'fulfilled', value: { status: 'COMPLETED' } });
	const looksAtShort = key.requests.filter((request) => request.url.endsWith('00000002-aaaa-4bbb-8ccc-dddddddddddd'));
	expect(looksAtShort.length).toBeGreaterThanOrEqual(1);
});

it('run times are learned per kind: 5 s and 10 s videos of one model, submitted together, are each seen soon after their end', async () => {
	const key = new FakeKey({ runMs: (input) => Number(input.duration) * 1_000 + 2_000 });
	const state = new KeyState(key.runtime);
	const results: Array<{ duration: number; seenAfter: number }> = [];
	const video = async (duration: number, n: number) => {
		const client = new ClipiaClient(key.runtime, { baseUrl: BASE, key: state });
		const started = key.clock.now();
		const result: GenerationResult = await generateVideo(
			{ client, nextStep },
			{ prompt: `clip ${n}`, model: 'kling-3', duration },
			{ waitSeconds: 60 },
		);
		expect(result.status).toBe('COMPLETED');
		results.push({ duration, seenAfter: key.clock.now() - started - (duration * 1_000 + 2_000) });
	};
	await key.until([10, 5, 10, 5, 5, 10, 5].map((duration, n) => video(duration, n)));
	expect(results).toHaveLength(7);
	for (const result of results) expect(result.seenAfter).toBeLessThan(2_500);
	expect(runTimeKind('kling-3', { prompt: 'a', duration: 5 })).not.toBe(
		runTimeKind('kling-3', { prompt: 'b', duration: 10 }),
	);
	expect(runTimeKind('kling-3', { prompt: 'a', image_url: 'https://x/1.png' })).toBe(
		runTimeKind('kling-3', { prompt: 'b', image_url: 'https://y/2.png' }),
	);
});

it('catalog calls keep the call deadline in a 429 storm: list_models and get_balance give up by it', async () => {
	const key = new FakeKey();
	const client = new ClipiaClient(key.runtime, { baseUrl: BASE });
	key.faults = Array.from({ length: 200 }, () => ({ kind: 'storm' as const, retryAfterSeconds: 10 }));
	const started = key.clock.now();
	const deadline = started + 20_000;
	const [models, balance] = await key.until<unknown>([
		listModels({ client, deadline }),
		getBalance({ client, deadline }),
	]);
	expect(models.status).toBe('rejected');
	expect(balance.status).toBe('rejected');
	expect(((models as PromiseRejectedResult).reason as ClipiaError).code).toBe('rate_limit_exceeded');
	expect(key.clock.now()).toBeLessThanOrEqual(deadline + 100);
});

// Found by the property suite (scheduling.property.test.ts): a model schema read begun for one
// caller held a later caller, with a shorter deadline, until the read ended.
it('a schema read begun for another caller does not hold a later caller past its deadline', async () => {
	const key = new FakeKey({ runMs: () => 300 });
	const state = new KeyState(key.runtime);
	key.faults = [{ kind: 'slow', ms: 4_052 }];
	const run = async (prompt: string, waitSeconds: number, at: number) => {
		await key.clock.sleep(at);
		const client = new ClipiaClient(key.runtime, { baseUrl: BASE, key: state });
		const deadline = callDeadlines(key.clock.now(), waitSeconds || 60).deadline;
		await generateVideo({ client, deadline, nextStep }, { prompt, model: 'kling-3' }, { waitSeconds });
		return { deadline, settledAt: key.clock.now() };
	};
	const [, later] = await key.settle([run('first', 0, 0), run('second', 1, 1)]);
	if (later.status === 'rejected') throw later.reason;
	expect(later.value.settledAt).toBeLessThanOrEqual(later.value.deadline);
});
