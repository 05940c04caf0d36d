/** core against the local Clipia over real HTTP: every endpoint, every error code, faults. */

import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
	ClipiaClient,
	ClipiaError,
	estimateCost,
	generateImage,
	generateVideo,
	getBalance,
	getGeneration,
	getModel,
	listModels,
	waitGeneration,
	type GenerationResult,
} from '../../core';
import { ClipiaEmulator, DEMO_KEYS } from '../../emulator/server';
import { parseWebhookBody, verifyWebhook, type HmacSha256 } from '../../core/webhooks';
import { keyMaker, useEmulator } from '../helpers/emulator';
import { mp3Info } from '../helpers/mp3';
import { nextStep, realRuntime } from '../helpers/runtime';

const SCALE = 50;
const emulator = useEmulator({ timeScale: SCALE, runSeconds: { image: 10, video: 60 } });
const freshKey = keyMaker(emulator, 'core');
const hmac: HmacSha256 = (key, data) => createHmac('sha256', key).update(data).digest();

function client(key: string | undefined, retry = { baseDelayMs: 1000 }): ClipiaClient {
	return new ClipiaClient(realRuntime(key, SCALE), { baseUrl: emulator.url, retry });
}

async function failure(promise: Promise<unknown>): Promise<ClipiaError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(ClipiaError);
	return error as ClipiaError;
}

describe('endpoints', () => {
	it('generates an image and charges its price once', async () => {
		const key = freshKey();
		const result = await generateImage(
			{ nextStep, client: client(key) },
			{ prompt: 'a red fox', resolution: '2k', num_images: 2 },
			{ waitSeconds: 120 },
		);
		expect(result.status).toBe('COMPLETED');
		expect(result.cost_credits).toBe(12); // 4 × 1.5 × 2
		expect(result.output?.images).toHaveLength(2);
		expect(result.output?.images?.[0]).toMatchObject({ width: 2048, height: 2048 });
		expect(emulator.stats(key).charged).toBe(12);
		expect(emulator.balance(key)).toBe(988);
		// Polls are few: submit + a handful of reads for a 10 s job.
		expect(emulator.stats(key).byRoute.result).toBeLessThanOrEqual(6);
	});

	it('sends the documented request: path, body, Idempotency-Key, auth', async () => {
		const key = freshKey();
		const before = emulator.log.length;
		await generateVideo(
			{ nextStep, client: client(key) },
			{
				prompt: 'waves',
				image_url: 'https://example.com/a.png',
				duration: 6,
				resolution: '1080p',
				generate_audio: true,
				aspect_ratio: '9:16',
			},
			{ waitSeconds: 0 },
		);
		const submit = emulator.log.slice(before).find((r) => r.route === 'submit')!;
		expect(submit.path).toBe('/v1/models/seedance-2-fast-i2v');
		expect(submit.body).toEqual({
			input: {
				prompt: 'waves',
				image_url: 'https://example.com/a.png',
				duration: 6,
				aspect_ratio: '9:16',
				resolution: '1080p',
				generate_audio: true,
			},
		});
		expect(submit.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
		expect(submit.headers.authorization).toBe(`Bearer ${key}`);
	});

	it('submits without waiting, then waits by request_id; status and result agree', async () => {
		const key = freshKey();
		const c = client(key);
		const submitted = await generateVideo({ nextStep, client: c }, { prompt: 'a storm' }, { waitSeconds: 0 });
		expect(submitted.status).toBe('IN_QUEUE');
		expect(submitted.cost_credits).toBe(40);
		const status = await c.status(submitted.request_id);
		expect(['IN_QUEUE', 'IN_PROGRESS']).toContain(status.status);
		const running = await getGeneration({ nextStep, client: c }, { request_id: submitted.request_id });
		expect(running.next_step).toBe(nextStep(running.request_id));
		const done = await waitGeneration({ nextStep, client: c }, { request_id: submitted.request_id, wait_seconds: 300 });
		expect(done).toMatchObject({ status: 'COMPLETED', model: 'seedance-2-fast-t2v', cost_credits: 40 });
		expect(done.output?.video?.url).toMatch(/\.mp4$/);
	});

	it('lists generation models, reads one, estimates what submit charges', async () => {
		const key = freshKey();
		const ctx = { nextStep, client: client(key) };
		const all = await listModels(ctx);
		expect(all.map((m) => m.slug)).toEqual(
			expect.arrayContaining(['nano-banana-2', 'seedance-2-fast-t2v', 'seedance-2-fast-i2v']),
		);
		expect(all.some((m) => m.slug.includes('gpt'))).toBe(false);
		expect((await listModels(ctx, { type: 'video', capability: 'image-to-video' })).map((m) => m.slug)).toEqual([
			'seedance-2-fast-i2v',
			'kling-3-pro',
		]);
		expect((await listModels(ctx, { search: 'banana' })).map((m) => m.slug)).toEqual(['nano-banana-2']);
		const detail = await getModel(ctx, { model: 'kling-3-pro' });
		expect(detail.input_schema.duration).toMatchObject({ type: 'integer', enum: [5, 10] });
		const input = { prompt: 'x', duration: 10, resolution: '1080p' };
		const estimate = await estimateCost(ctx, { model: 'kling-3-pro', input });
		expect(estimate.cost_credits).toBe(360);
		expect(emulator.stats(key).charged).toBe(0);
		const submitted = await generateVideo(ctx, { ...input, model: 'kling-3-pro' }, { waitSeconds: 0 });
		expect(submitted.cost_credits).toBe(estimate.cost_credits);
		expect(emulator.stats(key).charged).toBe(360);
		const balance = await getBalance(ctx);
		expect(balance.credits).toBe(640);
		expect(balance.usage_30d.credits_spent).toBe(360);
	});

	it('accepts all three auth schemes', async () => {
		for (const headers of [
			{ Authorization: `Bearer ${DEMO_KEYS.live}` },
			{ Authorization: `Key ${DEMO_KEYS.live}` },
			{ 'X-Api-Key': DEMO_KEYS.live },
		] as Array<Record<string, string>>) {
			const response = await fetch(`${emulator.url}/v1/account`, { headers });
			expect(response.status).toBe(200);
		}
	});

	it('sandbox keys answer COMPLETED at once and charge nothing', async () => {
		const c = client(DEMO_KEYS.test);
		const before = emulator.stats(DEMO_KEYS.test).charged;
		const result = await generateVideo({ nextStep, client: c }, { prompt: 'anything' }, { waitSeconds: 0 });
		expect(result.status).toBe('COMPLETED');
		expect(result.cost_credits).toBe(40);
		expect(result.output?.video?.url).toMatch(/sample/);
		expect(emulator.stats(DEMO_KEYS.test).charged).toBe(before);
	});
});

describe('each model its own inputs', () => {
	it("sends a value in the model's own spelling (1k → 1K) and reads its schema once for a whole batch", async () => {
		const key = freshKey();
		const c = client(key);
		const results = await Promise.all(
			['one', 'two', 'three'].map((prompt) =>
				generateImage({ nextStep, client: c }, { prompt, model: 'recraft-v4', resolution: '1k' }, { waitSeconds: 0 }),
			),
		);
		expect(results.map((result) => result.status)).toEqual(['IN_QUEUE', 'IN_QUEUE', 'IN_QUEUE']);
		const submits = emulator.log.filter((entry) => entry.key === key && entry.route === 'submit');
		expect(submits.map((entry) => (entry.body as { input: { resolution: string } }).input.resolution)).toEqual([
			'1K',
			'1K',
			'1K',
		]);
		expect(emulator.stats(key).byRoute).toMatchObject({ model: 1, submit: 3 });
	});

	it('refuses, before any credit is spent, what the model cannot take, naming what it can', async () => {
		const key = freshKey();
		const c = client(key);
		const size = await failure(
			generateImage(
				{ nextStep, client: c },
				{ prompt: 'x', model: 'recraft-v4', resolution: '4k' },
				{ waitSeconds: 0 },
			),
		);
		expect(size).toMatchObject({ code: 'validation_error', field: 'resolution' });
		expect(size.message).toBe('recraft-v4 takes "Resolution" (resolution) 1K, 2K; got "4k".');
		const aspect = await failure(
			generateImage(
				{ nextStep, client: c },
				{ prompt: 'x', model: 'recraft-v4', aspect_ratio: '21:9' },
				{ waitSeconds: 0 },
			),
		);
		expect(aspect.message).toMatch(
			/recraft-v4 takes "Aspect Ratio" \(aspect_ratio\) 1:1, 16:9, 9:16, 4:3, 3:4; got "21:9"/,
		);
		const references = await failure(
			generateImage(
				{ nextStep, client: c },
				{ prompt: 'x', model: 'recraft-v4', image_urls: ['https://x.test/a.png'] },
				{ waitSeconds: 0 },
			),
		);
		expect(references.message).toMatch(
			/^recraft-v4 has no "Reference Image URLs" \(image_urls\) setting: leave it unset, or pick a model that has it\. recraft-v4 takes prompt, aspect_ratio, resolution, num_images\.$/,
		);
		const duration = await failure(
			generateVideo({ nextStep, client: c }, { prompt: 'x', model: 'kling-3-pro', duration: 7 }, { waitSeconds: 0 }),
		);
		expect(duration.message).toBe('kling-3-pro takes "Duration (Seconds)" (duration) 5, 10; got 7.');
		const unknown = await failure(
			generateImage({ nextStep, client: c }, { prompt: 'x', model: 'no-such-model' }, { waitSeconds: 0 }),
		);
		expect(unknown).toMatchObject({ code: 'validation_error', field: 'model' });
		expect(unknown.message).toMatch(/Clipia has no model "no-such-model"/);
		expect(emulator.stats(key).byRoute.submit ?? 0).toBe(0);
		expect(emulator.stats(key).charged).toBe(0);
	});

	it('says so when a model tiles its variants into one image', async () => {
		const key = freshKey();
		const result = await generateImage(
			{ nextStep, client: client(key) },
			{ prompt: 'four logos', model: 'recraft-v4', num_images: 4 },
			{ waitSeconds: 120 },
		);
		expect(result.status).toBe('COMPLETED');
		expect(result.output?.images).toHaveLength(1);
		expect(result.output?.images?.[0]).toMatchObject({ width: 2048, height: 2048 });
		expect(result.note).toBe(
			'4 images were asked for and recraft-v4 returned one: it tiles its variants side by side in a single image.',
		);
		const plain = await generateImage(
			{ nextStep, client: client(key) },
			{ prompt: 'four foxes', num_images: 4 },
			{ waitSeconds: 120 },
		);
		expect(plain.output?.images).toHaveLength(4);
		expect(plain.note).toBeUndefined();
	});

	it('goes ahead unchecked when the schema cannot be read in time (Clipia still checks; a refusal costs nothing)', async () => {
		const key = freshKey();
		emulator.inject({ key, method: 'GET', path: '/v1/models/', times: 20, action: { type: 'status', status: 503 } });
		const c = client(key, { baseDelayMs: 50 });
		const refused = await failure(
			generateImage(
				{ nextStep, client: c },
				{ prompt: 'x', model: 'recraft-v4', resolution: '2k' },
				{ waitSeconds: 0 },
			),
		);
		expect(refused).toMatchObject({ status: 422, code: 'model_input_invalid' });
		expect(refused.message).toMatch(/resolution: must be one of 1K, 2K.*nothing was charged/);
		const fine = await generateImage({ nextStep, client: c }, { prompt: 'x', model: 'recraft-v4' }, { waitSeconds: 0 });
		expect(fine.status).toBe('IN_QUEUE');
		expect(emulator.stats(key).byRoute.submit).toBe(2);
		expect(emulator.stats(key).charged).toBe(5);
	});
});

describe('every error code of the contract', () => {
	it('400 invalid_request', async () => {
		const error = await failure(
			client(freshKey()).submit('nano-banana-2', { prompt: 'x' }, { webhookUrl: 'ftp://nope' }),
		);
		expect(error).toMatchObject({ status: 400, code: 'invalid_request' });
		expect(error.message).toMatch(/nothing was charged/);
	});

	it('401 invalid_api_key, without echoing the key', async () => {
		const bad = 'clipia_live_not_a_real_key_123';
		const error = await failure(getBalance({ nextStep, client: client(bad) }));
		expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
		expect(error.message).toMatch(/Check the key/);
		expect(JSON.stringify({ ...error, text: error.message })).not.toContain(bad);
		await expect(getBalance({ nextStep, client: client(undefined) })).rejects.toMatchObject({ status: 401 });
	});

	it('402 insufficient_credits: nothing queued, top-up advice', async () => {
		const key = freshKey({ credits: 10 });
		const error = await failure(generateVideo({ nextStep, client: client(key) }, { prompt: 'x' }, { waitSeconds: 0 }));
		expect(error).toMatchObject({ status: 402, code: 'insufficient_credits' });
		expect(error.message).toMatch(/costs 40 credits; the balance is 10.*Top up/);
		expect(emulator.stats(key).jobs).toBe(0);
	});

	it('402 subscription_required (credits frozen): nothing queued, and no top-up advice, which would not help', async () => {
		const error = await failure(
			generateImage({ nextStep, client: client(DEMO_KEYS.frozen) }, { prompt: 'x' }, { waitSeconds: 0 }),
		);
		expect(error).toMatchObject({ status: 402, code: 'subscription_required' });
		expect(error.message).toMatch(/active subscription.*topping up does not help/);
		expect(error.message).not.toMatch(/Top up/);
		expect(emulator.stats(DEMO_KEYS.frozen).jobs).toBe(0);
	});

	it('403 insufficient_scope', async () => {
		const error = await failure(
			generateImage({ nextStep, client: client(DEMO_KEYS.readOnly) }, { prompt: 'x' }, { waitSeconds: 0 }),
		);
		expect(error).toMatchObject({ status: 403, code: 'insufficient_scope' });
		expect(error.message).toMatch(/"generate" scope/);
		await expect(getBalance({ nextStep, client: client(DEMO_KEYS.readOnly) })).resolves.toBeDefined();
	});

	it('404 not_found for an unknown request or model, never retried', async () => {
		const key = freshKey();
		const error = await failure(
			getGeneration({ nextStep, client: client(key) }, { request_id: '00000000-0000-4000-8000-000000000000' }),
		);
		expect(error).toMatchObject({ status: 404, code: 'not_found', requestId: '00000000-0000-4000-8000-000000000000' });
		await expect(getModel({ nextStep, client: client(key) }, { model: 'no-such-model' })).rejects.toMatchObject({
			status: 404,
		});
		expect(emulator.stats(key).requests).toBe(2);
	});

	it('409 idempotency_key_reuse, and a replay that charges once', async () => {
		const key = freshKey();
		const c = client(key);
		const first = await c.submit(
			'nano-banana-2',
			{ prompt: 'one' },
			{ idempotencyKey: '11111111-1111-4111-8111-111111111111' },
		);
		const replay = await c.submit(
			'nano-banana-2',
			{ prompt: 'one' },
			{ idempotencyKey: '11111111-1111-4111-8111-111111111111' },
		);
		expect(replay.request_id).toBe(first.request_id);
		expect(emulator.stats(key).charged).toBe(4);
		const error = await failure(
			c.submit('nano-banana-2', { prompt: 'two' }, { idempotencyKey: '11111111-1111-4111-8111-111111111111' }),
		);
		expect(error).toMatchObject({ status: 409, code: 'idempotency_key_reuse' });
	});

	it('409 request_in_progress is waited out and ends in the one job', async () => {
		const key = freshKey();
		emulator.inject({
			key,
			method: 'POST',
			path: '/v1/models/',
			times: 1,
			action: { type: 'delay', ms: (3_000 * SCALE) / 10 },
		});
		const c = client(key);
		const idempotencyKey = '22222222-2222-4222-8222-222222222222';
		const [a, b] = await Promise.all([
			c.submit('nano-banana-2', { prompt: 'slow' }, { idempotencyKey }),
			new Promise((r) => setTimeout(r, 50)).then(() =>
				c.submit('nano-banana-2', { prompt: 'slow' }, { idempotencyKey }),
			),
		]);
		expect(b.request_id).toBe(a.request_id);
		expect(emulator.stats(key).jobs).toBe(1);
		expect(emulator.log.some((r) => r.key === key && r.status === 409)).toBe(true);
	});

	it('422 model_input_invalid names the field', async () => {
		// Given as extra input, the value reaches Clipia unchecked: its 422 is what the user reads.
		const error = await failure(
			generateVideo(
				{ nextStep, client: client(freshKey()) },
				{ prompt: 'x', model: 'kling-3-pro', extra_input: { duration: 7 } },
				{ waitSeconds: 0 },
			),
		);
		expect(error).toMatchObject({ status: 422, code: 'model_input_invalid', field: 'duration' });
		expect(error.message).toMatch(/duration: must be one of 5, 10/);
	});

	it('429 rate_limit_exceeded with Retry-After and RateLimit headers: waited out, then success', async () => {
		const key = freshKey({ requestsPerMinute: 3 });
		const c = client(key);
		for (let i = 0; i < 5; i++) await getBalance({ nextStep, client: c });
		const limited = emulator.log.filter((r) => r.key === key && r.status === 429);
		expect(emulator.stats(key).requests).toBe(5);
		// The client learns the limit from the headers and paces itself; few or no 429s.
		expect(limited.length).toBeLessThanOrEqual(1);
		const raw = await fetch(`${emulator.url}/v1/account`, { headers: { Authorization: `Bearer ${key}` } });
		expect(raw.headers.get('ratelimit-limit')).toBe('3');
		expect(raw.headers.get('ratelimit-remaining')).not.toBeNull();
	});

	it('500 and 503 are retried with backoff', async () => {
		const key = freshKey();
		emulator.inject({ key, times: 1, action: { type: 'status', status: 500 } });
		emulator.inject({ key, times: 1, action: { type: 'status', status: 503 } });
		await expect(getBalance({ nextStep, client: client(key, { baseDelayMs: 20 }) })).resolves.toMatchObject({
			credits: 1000,
		});
		emulator.inject({ key, times: 5, action: { type: 'status', status: 503 } });
		const error = await failure(getBalance({ nextStep, client: client(key, { baseDelayMs: 20 }) }));
		expect(error).toMatchObject({ status: 503, code: 'service_unavailable' });
	});
});

describe('faults', () => {
	it('a submit processed but whose answer was dropped is retried and charged exactly once', async () => {
		const key = freshKey();
		emulator.inject({ key, method: 'POST', path: '/v1/models/', times: 1, action: { type: 'drop' } });
		const result = await generateImage(
			{ nextStep, client: client(key, { baseDelayMs: 20 }) },
			{ prompt: 'lost answer' },
			{ waitSeconds: 120 },
		);
		expect(result.status).toBe('COMPLETED');
		expect(emulator.stats(key).byRoute.submit).toBe(2);
		expect(emulator.stats(key).jobs).toBe(1);
		expect(emulator.stats(key).charged).toBe(4);
	});

	it('a 429 storm and a 5xx burst end in success with no extra charge', async () => {
		const key = freshKey();
		emulator.inject({ key, method: 'POST', times: 3, action: { type: 'status', status: 429, retryAfter: '1' } });
		emulator.inject({ key, method: 'POST', times: 2, action: { type: 'status', status: 502 } });
		emulator.inject({ key, method: 'GET', times: 3, action: { type: 'status', status: 503 } });
		const result = await generateImage(
			{ nextStep, client: client(key, { baseDelayMs: 20 }) },
			{ prompt: 'storm' },
			{ waitSeconds: 120 },
		);
		expect(result.status).toBe('COMPLETED');
		expect(emulator.stats(key).jobs).toBe(1);
		expect(emulator.stats(key).charged).toBe(4);
	});

	it('slow and malformed answers are survived', async () => {
		const key = freshKey();
		emulator.inject({ key, method: 'GET', times: 1, action: { type: 'malformed' } });
		emulator.inject({ key, method: 'GET', times: 1, action: { type: 'delay', ms: 500 } });
		await expect(getBalance({ nextStep, client: client(key, { baseDelayMs: 20 }) })).resolves.toMatchObject({
			credits: 1000,
		});
		await expect(getBalance({ nextStep, client: client(key, { baseDelayMs: 20 }) })).resolves.toMatchObject({
			credits: 1000,
		});
	});

	it('FAILED and CANCELED surface with their code and request_id, and are refunded', async () => {
		const key = freshKey();
		const c = client(key);
		const failed = await generateImage(
			{ nextStep, client: c },
			{ prompt: 'broken [emulator:fail]' },
			{ waitSeconds: 120 },
		);
		expect(failed).toMatchObject({ status: 'FAILED', error: { code: 'GENERATION_FAILED' } });
		expect(failed.request_id).toMatch(/^[0-9a-f-]{36}$/);
		const pending = await generateVideo({ nextStep, client: c }, { prompt: 'long' }, { waitSeconds: 0 });
		emulator.forceOutcome(pending.request_id, 'CANCELED');
		const canceled = await waitGeneration(
			{ nextStep, client: c },
			{ request_id: pending.request_id, wait_seconds: 60 },
		);
		expect(canceled).toMatchObject({ status: 'CANCELED', request_id: pending.request_id, error: { code: 'CANCELED' } });
		expect(emulator.stats(key).charged).toBe(0);
	});
});

describe('limits', () => {
	it('many jobs wait under one shared budget and respect the concurrency limit', async () => {
		const key = freshKey({ concurrency: 3, requestsPerMinute: 60 });
		const c = client(key);
		const submitted: GenerationResult[] = [];
		for (let i = 0; i < 3; i++)
			submitted.push(await generateImage({ nextStep, client: c }, { prompt: `n${i}` }, { waitSeconds: 0 }));
		// A fourth over the concurrency limit is a 429 with a Retry-After that is waited out.
		const fourth = generateImage(
			{ nextStep, client: c },
			{ prompt: 'n3' },
			{ waitSeconds: 0, patientWithRateLimits: true },
		);
		// As the Wait node does: each waits on its own schedule, all under the one client's budget.
		const results = await Promise.all(
			submitted.map((s) =>
				waitGeneration(
					{ nextStep, client: c },
					{ request_id: s.request_id, wait_seconds: 120, patientWithRateLimits: true },
				),
			),
		);
		expect(results.map((r) => r.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
		expect((await fourth).request_id).toBeDefined();
		expect(emulator.log.some((r) => r.key === key && r.route === 'submit' && r.status === 429)).toBe(true);
		expect(emulator.stats(key).jobs).toBe(4);
	});

	it('a submit over the generations at once, under either refusal policy: 429 with the minute still showing room', async () => {
		const refusal = async (refusals: 'projected' | 'running') => {
			const key = freshKey({ concurrency: 2, refusals });
			const submit = (prompt: string) =>
				fetch(`${emulator.url}/v1/models/nano-banana-2`, {
					method: 'POST',
					headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
					body: JSON.stringify({ input: { prompt } }),
				});
			for (const prompt of ['a', 'b']) expect((await submit(prompt)).status).toBe(200);
			const refused = await submit('c');
			const body = (await refused.json()) as { error: { code: string; message: string } };
			expect(refused.status).toBe(429);
			expect(body.error.code).toBe('rate_limit_exceeded');
			expect(Number(refused.headers.get('ratelimit-remaining'))).toBeGreaterThan(0);
			expect(emulator.stats(key)).toMatchObject({ jobs: 2, tooManyAtOnce: 1 });
			return { message: body.error.message, retryAfter: Number(refused.headers.get('retry-after')) };
		};
		const projected = await refusal('projected');
		expect(projected.message).toMatch(/Too many concurrent generations \(limit 2\)/);
		// Both still queued (the dispatch time): their projected end, a whole image's run away.
		expect(projected.retryAfter).toBeGreaterThanOrEqual(8);
		const running = await refusal('running');
		// Nothing names the limit, and with nothing running yet the answer is "in a second".
		expect(running).toEqual({ message: 'Rate limit exceeded', retryAfter: 1 });
	});

	it('with workers to spare, nobody is ahead in the queue: every new job reports position 0', async () => {
		const key = freshKey();
		const c = client(key);
		const submitted = await Promise.all(
			['a', 'b', 'c', 'd', 'e'].map((prompt) => c.submit('nano-banana-2', { prompt })),
		);
		expect(submitted.map((answer) => answer.queue_position)).toEqual([0, 0, 0, 0, 0]);
	});

	it('queue positions count down while workers are busy', async () => {
		// One worker, no dispatch delay: the first job starts at once, the others queue behind it.
		const local = new ClipiaEmulator({ timeScale: SCALE, workers: 1, dispatchMs: 0, runSeconds: { image: 10 } });
		await local.start();
		try {
			const c = new ClipiaClient(realRuntime(DEMO_KEYS.live, SCALE), { baseUrl: local.url });
			const first = await c.submit('nano-banana-2', { prompt: 'a' });
			const second = await c.submit('nano-banana-2', { prompt: 'b' });
			const third = await c.submit('nano-banana-2', { prompt: 'c' });
			expect(first.status).toBe('IN_PROGRESS');
			expect([second.queue_position, third.queue_position]).toEqual([0, 1]);
			const seen: number[] = [];
			await waitGeneration(
				{ nextStep, client: c },
				{
					request_id: third.request_id,
					wait_seconds: 120,
					onUpdate: (a) => typeof a.queue_position === 'number' && seen.push(a.queue_position),
				},
			);
			expect(seen.length).toBeGreaterThan(0);
			expect([...seen].sort((a, b) => b - a)).toEqual(seen);
		} finally {
			await local.stop();
		}
	});
});

describe('media and webhooks', () => {
	it('serves real PNG, WebP and MP4 bytes', async () => {
		const result = await generateImage(
			{ nextStep, client: client(DEMO_KEYS.test) },
			{ prompt: 'x' },
			{ waitSeconds: 0 },
		);
		const image = result.output!.images![0];
		const pngBytes = Buffer.from(await (await fetch(image.original_url!)).arrayBuffer());
		expect(pngBytes.subarray(1, 4).toString()).toBe('PNG');
		expect(pngBytes.readUInt32BE(16)).toBe(image.width);
		const webpResponse = await fetch(image.url);
		expect(webpResponse.headers.get('content-type')).toBe('image/webp');
		const webpBytes = Buffer.from(await webpResponse.arrayBuffer());
		expect(webpBytes.subarray(0, 4).toString()).toBe('RIFF');
		expect(webpBytes.subarray(8, 16).toString()).toBe('WEBPVP8L');
		const video = await generateVideo(
			{ nextStep, client: client(DEMO_KEYS.test) },
			{ prompt: 'x' },
			{ waitSeconds: 0 },
		);
		const mp4 = await fetch(video.output!.video!.url);
		expect(mp4.headers.get('content-type')).toBe('video/mp4');
		const mp4Bytes = Buffer.from(await mp4.arrayBuffer());
		expect(mp4Bytes.length).toBe(Number(mp4.headers.get('content-length')));
		// A playable movie (ftyp, moov before mdat), padded to the configured size with a free box.
		const boxes: Array<[string, number]> = [];
		for (let at = 0; at < mp4Bytes.length; ) {
			const small = mp4Bytes.readUInt32BE(at);
			const size = small === 1 ? Number(mp4Bytes.readBigUInt64BE(at + 8)) : small;
			boxes.push([mp4Bytes.subarray(at + 4, at + 8).toString(), size]);
			at += size;
		}
		expect(boxes.map(([type]) => type).filter((type, n) => type !== 'free' || n === boxes.length - 1)).toEqual([
			'ftyp',
			'moov',
			'mdat',
			'free',
		]);
		expect(boxes.reduce((sum, [, size]) => sum + size, 0)).toBe(mp4Bytes.length);
		expect(mp4Bytes.includes(Buffer.from('avc1'))).toBe(true);
	});

	it('signs webhooks and retries failed deliveries', async () => {
		const received: Array<{ headers: Record<string, unknown>; body: string }> = [];
		let answers = 0;
		const receiver = createServer((req, res) => {
			let body = '';
			req.on('data', (c) => (body += c));
			req.on('end', () => {
				received.push({ headers: req.headers, body });
				res.writeHead(++answers === 1 ? 500 : 200).end();
			});
		});
		await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
		const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
		try {
			const key = freshKey();
			const submitted = await client(key).submit('nano-banana-2', { prompt: 'hooked' }, { webhookUrl: hook });
			for (let i = 0; i < 200 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
			expect(received).toHaveLength(2);
			const { headers, body } = received[1];
			const [t, v1] = String(headers['x-clipia-signature']).replace('t=', '').split(',v1=');
			expect(createHmac('sha256', 'whsec_emulator_secret').update(`${t}.${body}`).digest('hex')).toBe(v1);
			// core's check accepts it on the receiver's (wall) clock, whatever the emulator's time scale…
			expect(
				verifyWebhook(hmac, 'whsec_emulator_secret', body, String(headers['x-clipia-signature']), Date.now()),
			).toEqual({
				ok: true,
				timestamp: Number(t),
			});
			// …and refuses it under another secret or with one byte changed.
			expect(verifyWebhook(hmac, 'whsec_other', body, String(headers['x-clipia-signature']), Date.now())).toEqual({
				ok: false,
				reason: 'mismatch',
			});
			expect(
				verifyWebhook(
					hmac,
					'whsec_emulator_secret',
					body.replace('OK', 'ok'),
					String(headers['x-clipia-signature']),
					Date.now(),
				),
			).toEqual({
				ok: false,
				reason: 'mismatch',
			});
			expect(parseWebhookBody(body)).toMatchObject({
				request_id: submitted.request_id,
				status: 'OK',
				ended: { request_id: submitted.request_id, status: 'COMPLETED', model: 'nano-banana-2' },
			});
			expect(JSON.parse(body)).toMatchObject({
				request_id: submitted.request_id,
				status: 'OK',
				payload: { model: 'nano-banana-2', cost: 4 },
			});
		} finally {
			receiver.close();
		}
	});
});

describe('the contract at its edges', () => {
	const post = (key: string, path: string, body: unknown) =>
		fetch(`${emulator.url}${path}`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		});

	it('refuses a start image that is not https with 422 model_input_invalid naming the field, charging nothing', async () => {
		const key = freshKey();
		const answer = await post(key, '/v1/models/seedance-2-fast-i2v', {
			input: { prompt: 'waves', image_url: 'http://images.example.com/a.png' },
		});
		expect(answer.status).toBe(422);
		expect(await answer.json()).toMatchObject({ error: { code: 'model_input_invalid', message: /image_url/ } });
		const list = await post(key, '/v1/models/nano-banana-2', {
			input: { prompt: 'a cat', image_urls: ['ftp://images.example.com/a.png'] },
		});
		expect(list.status).toBe(422);
		expect(emulator.stats(key).charged).toBe(0);
	});

	it('answers a route it does not have (a POST to cancel) with 404 and the rate-limit headers of every keyed answer', async () => {
		const key = freshKey();
		const answer = await post(key, '/v1/requests/0b9f3c3e-4f6a-4a51-9d38-2d3c8a0f1e77/cancel', {});
		expect(answer.status).toBe(404);
		expect(answer.headers.get('ratelimit-limit')).toBeTruthy();
		expect(answer.headers.get('ratelimit-remaining')).toBeTruthy();
		expect(answer.headers.get('ratelimit-reset')).toBeTruthy();
	});
});

describe('audio', () => {
	/** Submits and waits; the raw result (as the wire has it) of the finished job. */
	async function generate(key: string, model: string, input: Record<string, unknown>) {
		const c = client(key);
		const submitted = await c.submit(model, input);
		const done = await waitGeneration({ nextStep, client: c }, { request_id: submitted.request_id, wait_seconds: 120 });
		expect(done.status).toBe('COMPLETED');
		const result = await c.result(submitted.request_id);
		return { cost: submitted.cost, audio: (result.output as { audio: { url: string; duration: number } }).audio };
	}

	async function download(url: string) {
		const response = await fetch(url);
		const bytes = Buffer.from(await response.arrayBuffer());
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('audio/mpeg');
		expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
		// An MP3 starts with a frame sync (11 set bits) or an ID3 tag.
		expect((bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0) || bytes.subarray(0, 3).toString() === 'ID3').toBe(true);
		return { bytes, ...mp3Info(bytes) };
	}

	const within10Percent = (actual: number, expected: number) =>
		expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.1);

	it('lists the speech and music models with their inputs and prices', async () => {
		const ctx = { nextStep, client: client(freshKey()) };
		const audio = await listModels(ctx, { type: 'audio' });
		expect(audio.map((model) => model.slug)).toEqual([
			'elevenlabs-v3',
			'minimax-speech-2',
			'stable-audio-2',
			'lyria-2',
		]);
		expect(audio.map((model) => [model.slug, model.credits, model.pricing_note])).toEqual([
			['elevenlabs-v3', 2, '2 credits per started 1,000 characters'],
			['minimax-speech-2', 1, '1 credit per started 1,000 characters'],
			['stable-audio-2', 3, '1 credit per started 10 seconds'],
			['lyria-2', 6, '2 credits per started 10 seconds'],
		]);
		expect((await listModels(ctx, { capability: 'text-to-speech' })).map((model) => model.slug)).toEqual([
			'elevenlabs-v3',
			'minimax-speech-2',
		]);
		expect((await listModels(ctx, { capability: 'text-to-music' })).map((model) => model.slug)).toEqual([
			'stable-audio-2',
			'lyria-2',
		]);
		const speech = await getModel(ctx, { model: 'elevenlabs-v3' });
		expect(speech.input_schema).toEqual({
			prompt: { type: 'string', required: true, description: 'The words to speak' },
			voice: { type: 'string', enum: ['Rachel', 'Adam', 'Bella', 'Josh'], default: 'Rachel' },
			speed: { type: 'number', minimum: 0.7, maximum: 1.2, default: 1 },
		});
		const music = await getModel(ctx, { model: 'lyria-2' });
		expect(music.input_schema.duration).toMatchObject({ type: 'integer', minimum: 5, maximum: 60, default: 30 });
	});

	it('estimates what submit charges: per started 1,000 characters of speech, per started 10 seconds of music', async () => {
		const key = freshKey();
		const c = client(key);
		const cases: Array<[string, Record<string, unknown>, number]> = [
			['elevenlabs-v3', { prompt: 'a'.repeat(2500) }, 6],
			['elevenlabs-v3', { prompt: 'Hello.' }, 2],
			['minimax-speech-2', { prompt: 'b'.repeat(1000) }, 1],
			['stable-audio-2', { prompt: 'rain on a tin roof', duration: 45 }, 5],
			['stable-audio-2', { prompt: 'rain on a tin roof' }, 3],
			['lyria-2', { prompt: 'a jazz trio', duration: 11 }, 4],
		];
		for (const [model, input, credits] of cases) {
			expect((await estimateCost({ nextStep, client: c }, { model, input })).cost_credits).toBe(credits);
			expect((await c.submit(model, input)).cost).toBe(credits);
		}
		expect(emulator.stats(key).charged).toBe(21);
	});

	it('a speech job gives a real MP3 as long as its duration says, ~2.5 words a second', async () => {
		const key = freshKey();
		const text =
			'Welcome back to the show. Today we talk about sound, speech and music: how are they made, and why do they feel alive? Let us find out together.';
		const { audio, cost } = await generate(key, 'elevenlabs-v3', { prompt: text, voice: 'Adam' });
		expect(cost).toBe(2);
		expect(audio).toEqual({ url: expect.stringMatching(/\.mp3$/), duration: expect.any(Number) });
		const file = await download(audio.url);
		expect(file).toMatchObject({ version: '2', sampleRate: 24000, channels: 1, bitrates: [48] });
		within10Percent(file.seconds, audio.duration);
		const words = text.split(/\s+/).length;
		expect(audio.duration).toBeGreaterThan(words / 3.5);
		expect(audio.duration).toBeLessThan(words / 1.8);

		// The same input again: the same bytes. Other words, a voice or a speed: other bytes.
		const again = await generate(key, 'elevenlabs-v3', { prompt: text, voice: 'Adam' });
		expect((await download(again.audio.url)).bytes.equals(file.bytes)).toBe(true);
		const other = await download(
			(await generate(key, 'elevenlabs-v3', { prompt: 'Good night.', voice: 'Adam' })).audio.url,
		);
		expect(other.bytes.equals(file.bytes)).toBe(false);
		const bella = await generate(key, 'elevenlabs-v3', { prompt: text, voice: 'Bella' });
		expect((await download(bella.audio.url)).bytes.equals(file.bytes)).toBe(false);
		const slow = await generate(key, 'elevenlabs-v3', { prompt: text, voice: 'Adam', speed: 0.7 });
		within10Percent((await download(slow.audio.url)).seconds, slow.audio.duration);
		expect(slow.audio.duration).toBeGreaterThan(audio.duration * 1.3);
		// The emulator's test directives are not read aloud.
		const directed = await generate(key, 'elevenlabs-v3', { prompt: `${text} [emulator:seconds=2]`, voice: 'Adam' });
		expect(directed.audio.duration).toBe(audio.duration);
	});

	it('a music job gives a real MP3 of the asked length; each prompt its own music, the same prompt the same bytes', async () => {
		const key = freshKey();
		const first = await generate(key, 'stable-audio-2', { prompt: 'calm lo-fi beat with soft piano', duration: 45 });
		expect(first.cost).toBe(5);
		expect(first.audio).toEqual({ url: expect.stringMatching(/\.mp3$/), duration: 45 });
		const file = await download(first.audio.url);
		expect(file).toMatchObject({ sampleRate: 24000, channels: 1, bitrates: [48] });
		expect(file.seconds).toBeCloseTo(45, 1);
		const same = await generate(key, 'stable-audio-2', { prompt: 'calm lo-fi beat with soft piano', duration: 45 });
		expect((await download(same.audio.url)).bytes.equals(file.bytes)).toBe(true);
		const other = await generate(key, 'stable-audio-2', { prompt: 'epic drums at dawn', duration: 45 });
		const otherFile = await download(other.audio.url);
		expect(otherFile.seconds).toBeCloseTo(45, 1);
		expect(otherFile.bytes.equals(file.bytes)).toBe(false);
		// The schema's default length when none is asked.
		const lyria = await generate(key, 'lyria-2', { prompt: 'a jazz trio' });
		expect(lyria.audio.duration).toBe(30);
		within10Percent((await download(lyria.audio.url)).seconds, 30);
		expect(emulator.stats(key).charged).toBe(5 + 5 + 5 + 6);
	});

	it('sandbox audio is a fixed sample, as long as its result says', async () => {
		const c = client(DEMO_KEYS.test);
		for (const [model, input] of [
			['minimax-speech-2', { prompt: 'anything', voice: 'Deep_Voice_Man' }],
			['stable-audio-2', { prompt: 'anything', duration: 12 }],
		] as Array<[string, Record<string, unknown>]>) {
			const submitted = await c.submit(model, input);
			expect(submitted.status).toBe('COMPLETED');
			const { output } = await c.result(submitted.request_id);
			const audio = (output as { audio: { url: string; duration: number } }).audio;
			expect(audio.url).toMatch(/\/sample\//);
			within10Percent((await download(audio.url)).seconds, audio.duration);
		}
	});

	it('refuses a speed the model cannot take with 422 naming the field, charging nothing', async () => {
		const key = freshKey();
		const error = await failure(client(key).submit('elevenlabs-v3', { prompt: 'Too fast.', speed: 3 }));
		expect(error).toMatchObject({ status: 422, code: 'model_input_invalid' });
		expect(error.message).toMatch(/speed: must be at most 1\.2/);
		const voice = await failure(client(key).submit('minimax-speech-2', { prompt: 'Hi.', voice: 'Rachel' }));
		expect(voice.message).toMatch(/voice: must be one of Wise_Woman, Deep_Voice_Man, Calm_Woman/);
		expect(emulator.stats(key).charged).toBe(0);
		expect(emulator.stats(key).jobs).toBe(0);
	});

	it('[emulator:bad-media] serves an HTML page under audio/mpeg', async () => {
		const { audio } = await generate(freshKey(), 'elevenlabs-v3', { prompt: 'Broken [emulator:bad-media]' });
		const response = await fetch(audio.url);
		expect(response.headers.get('content-type')).toBe('audio/mpeg');
		expect(await response.text()).toMatch(/<html>/);
	});
});
