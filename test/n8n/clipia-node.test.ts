/** The Clipia node (account, models, a generation looked up) inside n8n-core's engine, against the emulator over HTTP. */

import { DEMO_KEYS } from '../../emulator/server';
import { keyMaker, useEmulator } from '../helpers/emulator';
import { NODE_TYPES, runNode } from './harness';

const emulator = useEmulator({ timeScale: 20, runSeconds: { image: 8, video: 40 }, wallClockHeaders: true });
const freshKey = keyMaker(emulator, 'clipia-node', { credits: 5_000 });
const credentials = (apiKey: string) => ({ apiKey, baseUrl: emulator.url });
const one = [{ json: {} }];

it('Account → Get Balance: credits and 30-day usage of this key', async () => {
	const key = freshKey();
	const run = await runNode({
		type: NODE_TYPES.clipia,
		credentials: credentials(key),
		input: one,
		parameters: { resource: 'account', operation: 'getBalance' },
	});
	expect(run.error).toBeUndefined();
	expect(run.items).toEqual([
		{
			json: { account_id: expect.any(String), credits: 5_000, usage_30d: expect.any(Object) },
			pairedItem: { item: 0 },
		},
	]);
});

it('Model → List: one item per model of the type asked, with capabilities and price; search narrows', async () => {
	const key = freshKey();
	const list = (parameters: Record<string, unknown>) =>
		runNode({
			type: NODE_TYPES.clipia,
			credentials: credentials(key),
			input: one,
			parameters: { resource: 'model', operation: 'list', ...parameters },
		});
	const videos = await list({ modelType: 'video' });
	expect(videos.error).toBeUndefined();
	expect(videos.items.length).toBeGreaterThan(1);
	for (const item of videos.items) {
		expect(item.json).toMatchObject({ type: 'video', credits: expect.any(Number), capabilities: expect.any(Array) });
		expect(item.pairedItem).toEqual({ item: 0 });
	}
	const searched = await list({ modelType: 'video', search: 'image-to-video' });
	expect(searched.items.length).toBeGreaterThan(0);
	expect(searched.items.length).toBeLessThan(videos.items.length);
});

it('Model → Get and Estimate Cost, per item; a bad input JSON stops the node before any request', async () => {
	const key = freshKey();
	const got = await runNode({
		type: NODE_TYPES.clipia,
		credentials: credentials(key),
		input: one,
		parameters: { resource: 'model', operation: 'get', model: 'nano-banana-2' },
	});
	expect(got.items[0].json).toMatchObject({ slug: 'nano-banana-2', input_schema: expect.any(Object) });
	const estimated = await runNode({
		type: NODE_TYPES.clipia,
		credentials: credentials(key),
		input: [{ json: { n: 1 } }, { json: { n: 4 } }],
		parameters: {
			resource: 'model',
			operation: 'estimateCost',
			model: 'nano-banana-2',
			input: '={{ JSON.stringify({ prompt: "a fox", num_images: $json.n }) }}',
		},
	});
	expect(estimated.error).toBeUndefined();
	const costs = estimated.items.map((item) => item.json.cost_credits as number);
	expect(costs[1]).toBe(costs[0] * 4);
	expect(emulator.stats(key).charged).toBe(0);

	const before = emulator.log.filter((entry) => entry.key === key).length;
	const bad = await runNode({
		type: NODE_TYPES.clipia,
		credentials: credentials(key),
		input: one,
		parameters: { resource: 'model', operation: 'estimateCost', model: 'nano-banana-2', input: '{"prompt": ' },
	});
	expect(bad.error?.message).toMatch(/not valid JSON/);
	expect(emulator.log.filter((entry) => entry.key === key).length).toBe(before);
});

it('Generation → Get: the state of a request_id without waiting; once ended, its media as a binary file', async () => {
	const key = DEMO_KEYS.live;
	const submitted = await runNode({
		type: NODE_TYPES.image,
		credentials: credentials(key),
		input: one,
		parameters: { prompt: 'a heron', waitForCompletion: false },
	});
	const requestId = submitted.items[0].json.request_id as string;
	const look = () =>
		runNode({
			type: NODE_TYPES.clipia,
			credentials: credentials(key),
			input: [{ json: { request_id: requestId } }],
			parameters: { resource: 'generation', operation: 'get', output: 'binary' },
		});
	const first = await look();
	expect(first.items[0].json).toMatchObject({
		request_id: requestId,
		status: expect.stringMatching(/IN_QUEUE|IN_PROGRESS/),
	});
	await new Promise((resolve) => setTimeout(resolve, 1_500));
	const later = await look();
	expect(later.items[0].json).toMatchObject({ request_id: requestId, status: 'COMPLETED' });
	expect(later.items[0].binary?.data?.mimeType).toBe('image/png');
});

it('Continue on Fail: an unknown model is an error item, the other items go on', async () => {
	const run = await runNode({
		type: NODE_TYPES.clipia,
		credentials: credentials(freshKey()),
		input: [{ json: { m: 'nano-banana-2' } }, { json: { m: 'no-such-model' } }],
		parameters: { resource: 'model', operation: 'get', model: '={{ $json.m }}' },
		continueOnFail: true,
	});
	expect(run.error).toBeUndefined();
	expect(run.items[0].json).toMatchObject({ slug: 'nano-banana-2' });
	expect(run.items[1]).toMatchObject({
		json: { error: expect.stringMatching(/no-such-model/), code: 'not_found' },
		pairedItem: { item: 1 },
	});
});
