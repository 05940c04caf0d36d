/**
 * A batch resumed by webhooks: exactly one delivery (the last to end) resumes; a delivery
 * that a newer one of its batch follows within moments steps aside without a read; ended
 * answers are shared, so a batch costs one read per generation. Fake clocks, scripted API.
 */

import { ClipiaClient } from '../../core';
import { batchState, Deliveries, EndedAnswers, type BatchState } from '../../core/operations/ended';
import { FakeClock, json, scriptedRuntime, SteppedClock } from '../helpers/runtime';

const ids = Array.from({ length: 5 }, (_, n) => `0000000${n}-aaaa-4bbb-8ccc-dddddddddddd`);

/** The API: `endedAt[n]` is when generation n ended (model ms), or undefined while it runs. */
function api(endedAt: Array<number | undefined>, timeline = new FakeClock()) {
	const { runtime, requests, clock } = scriptedRuntime((request) => {
		const id = request.url.split('/').pop()!;
		const at = endedAt[ids.indexOf(id)];
		if (at === undefined) return json(202, { request_id: id, status: 'IN_PROGRESS', progress: 50 });
		return json(200, {
			request_id: id,
			status: 'COMPLETED',
			model: 'seedance-2-fast-t2v',
			cost: 40,
			output: { video: { url: `https://media.clipia.ai/${id}.mp4` } },
			completed_at: new Date(at).toISOString(),
		});
	}, timeline);
	const client = new ClipiaClient(runtime, { baseUrl: 'https://api.clipia.ai' });
	const context = { client, nextStep: (id: string) => `wait for ${id}` };
	return { client, context, requests, clock, ended: new EndedAnswers(clock.now) };
}

const reads = (requests: Array<{ url: string }>) => requests.filter((request) => request.url.includes('/v1/requests/'));

it('a delivery while another generation runs resumes nothing, after one read', async () => {
	// The latest submission is asked first: it tends to end last.
	const { context, requests } = api([1000, 2000, 1800, 1500, undefined]);
	const state = await batchState(context, ids, new Set([ids[1]]));
	expect(state).toEqual({ resume: false, reason: 'running', asked: 1 });
	expect(reads(requests)).toHaveLength(1);
});

it('only the delivery of the generation that ended last resumes, with every result in submit order', async () => {
	const endedAt = [1000, 5000, 3000, 2000, 4000];
	const outcomes: BatchState[] = [];
	const { context, ended } = api(endedAt);
	for (const id of ids) outcomes.push(await batchState(context, ids, new Set([id]), ended));
	expect(outcomes.map((state) => state.resume)).toEqual([false, true, false, false, false]);
	const resumed = outcomes[1] as Extract<BatchState, { resume: true }>;
	expect(resumed.results.map((result) => result.request_id)).toEqual(ids);
	expect(resumed.results.every((result) => result.status === 'COMPLETED' && result.output?.video?.url)).toBe(true);
	for (const state of outcomes.filter((one) => !one.resume)) expect(state).toMatchObject({ reason: 'not_last' });
});

it('deliveries arriving together share their reads: one per generation for the whole batch', async () => {
	const { context, requests, ended } = api([1000, 1000, 1000, 1000, 1000]);
	const outcomes = await Promise.all(ids.map((id) => batchState(context, ids, new Set([id]), ended)));
	// Equal times: the largest request_id is last, so exactly one resumes.
	expect(outcomes.filter((state) => state.resume)).toHaveLength(1);
	expect(outcomes[4].resume).toBe(true);
	expect(reads(requests)).toHaveLength(5);
});

it('a running answer is asked again next time; an ended one is kept, then forgotten after 10 minutes', async () => {
	const endedAt: Array<number | undefined> = [1000, 1000, 1000, 1000, undefined];
	const { context, requests, ended, clock } = api(endedAt);
	expect(await batchState(context, ids, new Set([ids[0]]), ended)).toMatchObject({ resume: false, reason: 'running' });
	endedAt[4] = 2000;
	const state = await batchState(context, ids, new Set([ids[4]]), ended);
	expect(state.resume).toBe(true);
	const asked = () => reads(requests).map((request) => request.url.split('/').pop());
	// Those not heard of first, the latest submission first; then the one heard of.
	expect(asked()).toEqual([ids[4], ids[3], ids[2], ids[1], ids[0], ids[4]]);
	await batchState(context, ids, new Set([ids[4]]), ended);
	expect(asked()).toHaveLength(6);
	clock.time += 10 * 60_000 + 1;
	await batchState(context, ids, new Set([ids[4]]), ended);
	expect(asked()).toHaveLength(11);
});

it('a generation the API does not know fails the delivery with its request_id (n8n answers 503; Clipia delivers again)', async () => {
	const { client } = api([1000]);
	const missing = '99999999-aaaa-4bbb-8ccc-dddddddddddd';
	const context = {
		client: new ClipiaClient(
			{
				...client.runtime,
				transport: async () => json(404, { error: { code: 'not_found', message: 'no such request' } }),
			},
			{ baseUrl: 'https://api.clipia.ai' },
		),
		nextStep: (id: string) => id,
	};
	await expect(batchState(context, [missing], new Set([missing]))).rejects.toMatchObject({
		requestId: missing,
		code: 'not_found',
	});
});

describe('Deliveries: what one process hears of a parked batch', () => {
	const settled = async (pending: Array<Promise<BatchState>>) => {
		const outcomes: Array<BatchState | 'pending'> = pending.map(() => 'pending');
		pending.forEach((one, n) => void one.then((state) => (outcomes[n] = state)));
		for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
		return outcomes;
	};

	it('deliveries a second apart: each steps aside for the next without a read; the last resumes at once, one read per generation', async () => {
		const clock = new SteppedClock();
		const { context, requests } = api([1000, 2000, 3000, 4000, 5000], clock);
		const heard = new Deliveries(clock);
		const pending: Array<Promise<BatchState>> = [];
		for (const id of ids) {
			pending.push(heard.decide(context, ids, id));
			await clock.advance(1_000);
		}
		const outcomes = await settled(pending);
		expect(outcomes.slice(0, 4)).toEqual(Array(4).fill({ resume: false, reason: 'superseded', asked: 0 }));
		expect(outcomes[4]).toMatchObject({ resume: true, asked: 5 });
		expect(reads(requests)).toHaveLength(5);
		// The last delivery did not wait: it was sent once the batch was complete.
		expect(clock.sleeps).toEqual([3_000, 3_000, 3_000, 3_000]);
	});

	it('a delivery no newer one follows asks the API after the settle: one read finds a generation still running', async () => {
		const clock = new SteppedClock();
		const { context, requests } = api([1000, 2000, undefined, undefined, undefined], clock);
		const heard = new Deliveries(clock);
		const [first, second] = [heard.decide(context, ids, ids[0]), heard.decide(context, ids, ids[1])];
		await clock.advance(2_999);
		expect(reads(requests)).toHaveLength(0);
		await clock.advance(1);
		expect(await first).toEqual({ resume: false, reason: 'superseded', asked: 0 });
		expect(await second).toEqual({ resume: false, reason: 'running', asked: 1 });
		expect(reads(requests).map((request) => request.url.split('/').pop())).toEqual([ids[4]]);
	});

	it('the last to end, heard first (deliveries out of order): the delivery completing the set resumes', async () => {
		const clock = new SteppedClock();
		const { context } = api([1000, 2000, 3000, 4000, 5000], clock);
		const heard = new Deliveries(clock);
		const order = [ids[4], ids[0], ids[1], ids[2], ids[3]];
		const pending = order.map((id) => heard.decide(context, ids, id));
		const outcomes = await settled(pending);
		expect(outcomes.map((state) => (state === 'pending' ? state : state.resume))).toEqual([
			false,
			false,
			false,
			false,
			true,
		]);
	});

	it('deliveries split between two processes (or a restart between them): exactly one resumes, where the last to end was heard', async () => {
		const clock = new SteppedClock();
		const { context, requests } = api([1000, 2000, 3000, 4000, 5000], clock);
		const [here, there] = [new Deliveries(clock), new Deliveries(clock)];
		const pending = [...ids.slice(0, 4).map((id) => here.decide(context, ids, id)), there.decide(context, ids, ids[4])];
		await clock.advance(3_000);
		const outcomes = await settled(pending);
		expect(outcomes.map((state) => (state === 'pending' ? state : state.resume))).toEqual([
			false,
			false,
			false,
			false,
			true,
		]);
		expect(outcomes[3]).toMatchObject({ reason: 'not_last' });
		// Two processes share no reads: each read the five it needed.
		expect(reads(requests)).toHaveLength(10);
	});

	it('a delivery repeated while the batch resumes resumes nothing', async () => {
		const clock = new SteppedClock();
		const { context } = api([1000, 1000, 1000, 1000, 1000], clock);
		const heard = new Deliveries(clock);
		for (const id of ids.slice(0, 4)) void heard.decide(context, ids, id);
		const outcomes = await settled([heard.decide(context, ids, ids[4]), heard.decide(context, ids, ids[4])]);
		expect(outcomes.map((state) => (state === 'pending' ? state : state.resume))).toEqual([true, false]);
		expect(outcomes[1]).toMatchObject({ reason: 'resumed' });
	});
});

describe('signed bodies that tell a result whole', () => {
	/** What a verified success delivery says of generation n. */
	const told = (n: number) => ({
		request_id: ids[n],
		status: 'COMPLETED' as const,
		model: 'seedance-2-fast-t2v',
		cost: 40,
		output: { video: { url: `https://media.clipia.ai/${ids[n]}.mp4` } },
	});

	it('a batch whose deliveries all came here resumes with no read, with the items the API would give', async () => {
		const clock = new SteppedClock();
		const { context, requests } = api([1000, 2000, 3000, 4000, 5000], clock);
		const heard = new Deliveries(clock);
		const pending = ids.map((id, n) => heard.decide(context, ids, id, told(n)));
		const outcomes = await Promise.all(pending.slice(4).concat(pending.slice(0, 4)));
		expect(outcomes[0]).toMatchObject({ resume: true, asked: 0 });
		expect(reads(requests)).toHaveLength(0);
		const read = await batchState(context, ids, new Set(ids));
		expect((outcomes[0] as { results: unknown[] }).results).toEqual((read as { results: unknown[] }).results);
	});

	it('a body that does not tell it whole is read: only that one', async () => {
		const clock = new SteppedClock();
		const { context, requests } = api([1000, 2000, 3000, 4000, 5000], clock);
		const heard = new Deliveries(clock);
		const pending = ids.map((id, n) => heard.decide(context, ids, id, n === 2 ? undefined : told(n)));
		const outcomes = await Promise.all(pending);
		expect(outcomes[4]).toMatchObject({ resume: true, asked: 1 });
		expect(reads(requests).map((request) => request.url.split('/').pop())).toEqual([ids[2]]);
	});

	it('split between two processes, the times decide as before: exactly one resumes, where the last was heard', async () => {
		const clock = new SteppedClock();
		const { context } = api([1000, 2000, 3000, 4000, 5000], clock);
		const [here, there] = [new Deliveries(clock), new Deliveries(clock)];
		const pending = [
			...ids.slice(0, 4).map((id, n) => here.decide(context, ids, id, told(n))),
			there.decide(context, ids, ids[4], told(4)),
		];
		await clock.advance(3_000);
		const outcomes = await Promise.all(pending);
		expect(outcomes.map((state) => state.resume)).toEqual([false, false, false, false, true]);
		expect(outcomes[3]).toMatchObject({ reason: 'not_last' });
	});

	it("a body is one generation's word: it cannot speak for another, nor say a running one ended", async () => {
		const clock = new SteppedClock();
		const { context, requests } = api([1000, 2000, 3000, 4000, undefined], clock);
		const heard = new Deliveries(clock);
		const pending = ids.slice(0, 4).map((id, n) => heard.decide(context, ids, id, told(n)));
		// A delivery for generation 4 that carries generation 3's answer is not taken as 4's.
		pending.push(heard.decide(context, ids, ids[4], told(3)));
		const outcomes = await Promise.all(pending);
		expect(outcomes[4]).toMatchObject({ resume: false, reason: 'running' });
		expect(reads(requests).map((request) => request.url.split('/').pop())).toEqual([ids[4]]);
	});
});
