/**
 * A batch resumed by webhooks: each delivery asks the API whether every generation ended,
 * exactly one delivery (the last to end) resumes, and ended answers are shared, so a batch
 * ending at once costs one read per generation. Fake clock, scripted API.
 */

import { ClipiaClient } from '../../core';
import { batchState, EndedAnswers, type BatchState } from '../../core/operations/ended';
import { json, scriptedRuntime } from '../helpers/runtime';

const ids = Array.from({ length: 5 }, (_, n) => `0000000${n}-aaaa-4bbb-8ccc-dddddddddddd`);

/** The API: `endedAt[n]` is when generation n ended (model ms), or undefined while it runs. */
function api(endedAt: Array<number | undefined>) {
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
	});
	const client = new ClipiaClient(runtime, { baseUrl: 'https://api.clipia.ai' });
	const context = { client, nextStep: (id: string) => `wait for ${id}` };
	return { client, context, requests, clock, ended: new EndedAnswers(clock.now) };
}

const reads = (requests: Array<{ url: string }>) => requests.filter((request) => request.url.includes('/v1/requests/'));

it('a delivery while another generation runs resumes nothing, after one read', async () => {
	// The latest submission is asked first: it tends to end last.
	const { context, requests } = api([1000, 2000, 1800, 1500, undefined]);
	const state = await batchState(context, ids, ids[1]);
	expect(state).toEqual({ resume: false, reason: 'running', asked: 1 });
	expect(reads(requests)).toHaveLength(1);
});

it('only the delivery of the generation that ended last resumes, with every result in submit order', async () => {
	const endedAt = [1000, 5000, 3000, 2000, 4000];
	const outcomes: BatchState[] = [];
	const { context, ended } = api(endedAt);
	for (const id of ids) outcomes.push(await batchState(context, ids, id, ended));
	expect(outcomes.map((state) => state.resume)).toEqual([false, true, false, false, false]);
	const resumed = outcomes[1] as Extract<BatchState, { resume: true }>;
	expect(resumed.results.map((result) => result.request_id)).toEqual(ids);
	expect(resumed.results.every((result) => result.status === 'COMPLETED' && result.output?.video?.url)).toBe(true);
	for (const state of outcomes.filter((one) => !one.resume)) expect(state).toMatchObject({ reason: 'not_last' });
});

it('deliveries arriving together share their reads: one per generation for the whole batch', async () => {
	const { context, requests, ended } = api([1000, 1000, 1000, 1000, 1000]);
	const outcomes = await Promise.all(ids.map((id) => batchState(context, ids, id, ended)));
	// Equal times: the largest request_id is last, so exactly one resumes.
	expect(outcomes.filter((state) => state.resume)).toHaveLength(1);
	expect(outcomes[4].resume).toBe(true);
	expect(reads(requests)).toHaveLength(5);
});

it('a running answer is asked again next time; an ended one is kept, then forgotten after 10 minutes', async () => {
	const endedAt: Array<number | undefined> = [1000, 1000, 1000, 1000, undefined];
	const { context, requests, ended, clock } = api(endedAt);
	expect(await batchState(context, ids, ids[0], ended)).toMatchObject({ resume: false, reason: 'running' });
	endedAt[4] = 2000;
	const state = await batchState(context, ids, ids[4], ended);
	expect(state.resume).toBe(true);
	const asked = () => reads(requests).map((request) => request.url.split('/').pop());
	expect(asked()).toEqual([ids[4], ids[3], ids[4], ids[2], ids[1], ids[0]]);
	await batchState(context, ids, ids[4], ended);
	expect(asked()).toHaveLength(6);
	clock.time += 10 * 60_000 + 1;
	await batchState(context, ids, ids[4], ended);
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
	await expect(batchState(context, [missing], missing)).rejects.toMatchObject({
		requestId: missing,
		code: 'not_found',
	});
});
