import {
	ClipiaClient,
	ClipiaError,
	generateImage,
	generateVideo,
	prepareImage,
	prepareVideo,
	redactSecrets,
	KeyStates,
	waitGeneration,
	type HttpRequest,
} from '../../core';
import { errorFromResponse } from '../../core/errors';
import { FakeClock, json, nextStep, scriptedRuntime } from '../helpers/runtime';

function expectValidation(fn: () => unknown, field: string, pattern: RegExp): void {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(ClipiaError);
		expect((error as ClipiaError).code).toBe('validation_error');
		expect((error as ClipiaError).field).toBe(field);
		expect((error as ClipiaError).message).toMatch(pattern);
		return;
	}
	throw new Error('expected a validation error');
}

describe('validation before any request', () => {
	it('rejects bad input with a sentence naming the field', () => {
		expectValidation(() => prepareImage({ prompt: '   ' }), 'prompt', /"Prompt" \(prompt\) is required/);
		expectValidation(
			() => prepareImage({ prompt: 'x', num_images: 5 }),
			'num_images',
			/whole number from 1 to 4; got 5/,
		);
		expectValidation(() => prepareImage({ prompt: 'x', num_images: 1.5 }), 'num_images', /whole number/);
		expectValidation(
			() =>
				prepareImage({
					prompt: 'x',
					image_urls: 'https://a/1.png, https://a/2.png, https://a/3.png, https://a/4.png, https://a/5.png',
				}),
			'image_urls',
			/at most 4 URLs; got 5/,
		);
		expectValidation(
			() => prepareImage({ prompt: 'x', image_urls: ['http://example.com/a.png'] }),
			'image_urls',
			/https:\/\//,
		);
		expectValidation(
			() => prepareImage({ prompt: 'x', resolution: '8k' }),
			'resolution',
			/one of 1k, 2k, 4k; got "8k"/,
		);
		expectValidation(() => prepareVideo({ prompt: 'x', duration: 0 }), 'duration', /from 2 to 15; got 0/);
		expectValidation(() => prepareVideo({ prompt: 'x', duration: 99 }), 'duration', /from 2 to 15/);
		expectValidation(() => prepareVideo({ prompt: 'x', image_url: 'ftp://x/y.png' }), 'image_url', /https/);
		expectValidation(() => prepareVideo({ prompt: 'x', aspect_ratio: '5:4' }), 'aspect_ratio', /one of 16:9/);
		expectValidation(() => prepareImage({ prompt: 'x', extra_input: '{nope' }), 'extra_input', /not valid JSON/);
		expectValidation(
			() => prepareImage({ prompt: 'x', webhook_url: 'http://example.com/hook' }),
			'webhook_url',
			/https/,
		);
	});

	it('spends nothing on bad input: the transport is never called', async () => {
		const { runtime, requests } = scriptedRuntime(() => json(200, {}));
		const client = new ClipiaClient(runtime);
		await expect(generateImage({ client, nextStep }, { prompt: '' }, { waitSeconds: 10 })).rejects.toThrow(/required/);
		await expect(
			generateVideo({ client, nextStep }, { prompt: 'x', duration: 'ten' as unknown as number }, { waitSeconds: 0 }),
		).rejects.toThrow(/whole number/);
		expect(requests).toHaveLength(0);
	});

	it('leaves out what was not chosen, and picks the default model', () => {
		const fox = prepareImage({ prompt: 'a fox' });
		expect({ model: fox.model, input: fox.input, extraInput: fox.extraInput }).toEqual({
			model: 'nano-banana-2',
			input: { prompt: 'a fox' },
		});
		expect(prepareVideo({ prompt: 'waves' }).model).toBe('seedance-2-fast-t2v');
		expect(prepareVideo({ prompt: 'waves', image_url: 'https://x.test/a.png' }).model).toBe('seedance-2-fast-i2v');
		expect(prepareVideo({ prompt: 'waves', image_url: 'https://x.test/a.png', model: 'kling-3-pro' }).model).toBe(
			'kling-3-pro',
		);
		const prepared = prepareImage({
			prompt: 'a',
			num_images: '2' as unknown as number,
			image_urls: 'https://x.test/1.png\nhttps://x.test/2.png',
			extra_input: '{"seed":7}',
		});
		expect(prepared.input).toEqual({
			prompt: 'a',
			num_images: 2,
			image_urls: ['https://x.test/1.png', 'https://x.test/2.png'],
		});
		expect(prepared.extraInput).toEqual({ seed: 7 });
		expect(prepareImage({ prompt: 'a', resolution: '2K' }).input.resolution).toBe('2k');
	});
});

describe('error sentences', () => {
	it('tell what to do next', () => {
		expect(
			errorFromResponse(401, { error: { code: 'invalid_api_key' } }, { what: 'reading the account' }).message,
		).toMatch(/Check the key/);
		expect(
			errorFromResponse(402, { error: { code: 'insufficient_credits', message: 'costs 40' } }, { what: 'submitting' })
				.message,
		).toMatch(/Top up at https:\/\/clipia.ai, then check the balance/);
		const e422 = errorFromResponse(
			422,
			{ error: { code: 'model_input_invalid', message: 'duration: must be one of 5, 10' } },
			{ what: 'submitting' },
		);
		expect(e422.field).toBe('duration');
		expect(e422.message).toMatch(/duration: must be one of 5, 10/);
		expect(errorFromResponse(404, {}, { what: 'reading request abc', requestId: 'req-abcdef' }).message).toMatch(
			/request_id req-abcdef/,
		);
	});

	it('never carry a key, whatever the server or the network said', () => {
		const key = 'clipia_live_abcdef1234567890';
		expect(redactSecrets(`bad key ${key} and Bearer ${key} and whsec_abc123`)).not.toMatch(/abcdef1234567890|abc123/);
		const error = errorFromResponse(400, { error: { message: `your key ${key} is odd` } }, { what: 'x' });
		expect(JSON.stringify({ ...error, message: error.message })).not.toContain(key);
	});
});

describe('generations', () => {
	/** The submit and the polls (the model's schema is read once before the submit). */
	const aboutTheJob = (requests: HttpRequest[]) =>
		requests.filter((request) => !(request.method === 'GET' && request.url.includes('/v1/models/')));

	/** A job that completes `runMs` after submit, reporting linear progress (or none). */
	function job(runMs: number, withProgress: boolean) {
		const clock = new FakeClock();
		const submittedAt = clock.time;
		const script = (request: HttpRequest) => {
			if (request.method === 'GET' && request.url.includes('/v1/models/'))
				return json(200, { slug: 'seedance-2-fast-t2v', input_schema: { prompt: { type: 'string' } } });
			if (request.method === 'POST')
				return json(200, {
					request_id: 'req-000001',
					status: 'IN_QUEUE',
					queue_position: 0,
					status_url: '',
					response_url: '',
					cost: 40,
				});
			const elapsed = clock.time - submittedAt;
			if (elapsed >= runMs) {
				return json(200, {
					request_id: 'req-000001',
					status: 'COMPLETED',
					model: 'seedance-2-fast-t2v',
					cost: 40,
					output: { video: { url: 'https://media/x.mp4' } },
				});
			}
			return json(202, {
				request_id: 'req-000001',
				status: 'IN_PROGRESS',
				progress: withProgress ? Math.floor((100 * elapsed) / runMs) : null,
			});
		};
		return { ...scriptedRuntime(script, clock), submittedAt };
	}

	it('waits for a video with a handful of polls and sees the end within a second', async () => {
		const { runtime, requests, clock, submittedAt } = job(120_000, true);
		const result = await generateVideo(
			{ nextStep, client: new ClipiaClient(runtime) },
			{ prompt: 'waves' },
			{ waitSeconds: 600 },
		);
		expect(result).toMatchObject({
			status: 'COMPLETED',
			cost_credits: 40,
			model: 'seedance-2-fast-t2v',
			request_id: 'req-000001',
		});
		const polls = aboutTheJob(requests).length - 1;
		expect(polls).toBeLessThanOrEqual(8);
		expect(clock.time - submittedAt - 120_000).toBeLessThan(1_000);
	});

	it('without progress polls at a steady beat and still sees the end within 3.5 s', async () => {
		const { runtime, requests, clock, submittedAt } = job(60_000, false);
		await generateVideo({ nextStep, client: new ClipiaClient(runtime) }, { prompt: 'waves' }, { waitSeconds: 600 });
		expect(aboutTheJob(requests).length - 1).toBeLessThanOrEqual(60 / 3 + 2);
		expect(clock.time - submittedAt - 60_000).toBeLessThanOrEqual(3_500);
	});

	it('stops at the deadline with the request_id and a next step', async () => {
		const { runtime, clock, submittedAt } = job(600_000, true);
		const result = await generateVideo(
			{ client: new ClipiaClient(runtime), nextStep: (id) => `continue with ${id}` },
			{ prompt: 'waves' },
			{ waitSeconds: 30 },
		);
		expect(result.status).toBe('IN_PROGRESS');
		expect(result.request_id).toBe('req-000001');
		expect(result.next_step).toBe('continue with req-000001');
		expect(result.progress).toBeGreaterThanOrEqual(4);
		expect(clock.time - submittedAt).toBeLessThanOrEqual(30_500);
	});

	it('returns at once after submitting when not asked to wait', async () => {
		const { runtime, requests } = job(60_000, true);
		const result = await generateVideo(
			{ nextStep, client: new ClipiaClient(runtime) },
			{ prompt: 'waves' },
			{ waitSeconds: 0 },
		);
		expect(aboutTheJob(requests)).toHaveLength(1);
		expect(requests).toHaveLength(2);
		expect(result).toMatchObject({ status: 'IN_QUEUE', cost_credits: 40, queue_position: 0 });
		expect(result.next_step).toBe(nextStep('req-000001'));
	});

	it('stops promptly when cancelled, naming the request', async () => {
		const clock = new FakeClock();
		const controller = new AbortController();
		let polls = 0;
		const { runtime } = scriptedRuntime(() => {
			if (++polls === 3) controller.abort();
			return json(202, { request_id: 'req-000002', status: 'IN_PROGRESS', progress: 1 });
		}, clock);
		const error = await waitGeneration(
			{ nextStep, client: new ClipiaClient(runtime), signal: controller.signal },
			{ request_id: 'req-000002', wait_seconds: 600 },
		).catch((e: unknown) => e);
		expect((error as Error).name).toBe('AbortError');
		expect(polls).toBe(3);
	});

	it('surfaces FAILED with its code, request_id and refund', async () => {
		const { runtime } = scriptedRuntime(() =>
			json(200, {
				request_id: 'req-000003',
				status: 'FAILED',
				model: 'nano-banana-2',
				cost: 4,
				error: { code: 'GENERATION_FAILED', message: 'NSFW' },
			}),
		);
		const result = await waitGeneration(
			{ nextStep, client: new ClipiaClient(runtime) },
			{ request_id: 'req-000003', wait_seconds: 10 },
		);
		expect(result).toMatchObject({ status: 'FAILED', error: { code: 'GENERATION_FAILED', message: 'NSFW' } });
		expect(result.next_step).toBeUndefined();
	});

	it('a hard error (404) ends the wait at once, naming the request_id', async () => {
		let polls = 0;
		const { runtime } = scriptedRuntime(() => (++polls, json(404, { error: { code: 'not_found' } })));
		const error = (await waitGeneration(
			{ nextStep, client: new ClipiaClient(runtime) },
			{ request_id: 'req-000004', wait_seconds: 10 },
		).catch((e: unknown) => e)) as ClipiaError;
		expect(error.requestId).toBe('req-000004');
		expect(error.message).toMatch(/req-000004/);
		expect(polls).toBe(1);
	});

	it("keeps waiting through an outage longer than the client's retries: pauses, then reads the result", async () => {
		const clock = new FakeClock();
		const started = clock.time;
		let polls = 0;
		// The first read and its 4 retries all meet a 503; the next read finds the job done.
		const { runtime } = scriptedRuntime(
			() =>
				++polls <= 5
					? json(503, { error: { code: 'service_unavailable' } })
					: json(200, {
							request_id: 'req-000005',
							status: 'COMPLETED',
							model: 'nano-banana-2',
							cost: 4,
							output: { images: [{ url: 'https://media/x.webp' }] },
						}),
			clock,
		);
		const result = await waitGeneration(
			{ nextStep, client: new ClipiaClient(runtime) },
			{ request_id: 'req-000005', wait_seconds: 120 },
		);
		expect(result).toMatchObject({ request_id: 'req-000005', status: 'COMPLETED' });
		expect(polls).toBe(6);
		// The retries' backoff (about 1 + 2 + 4 + 8 s) and the waiter's own 5 s pause.
		expect(clock.time - started).toBeGreaterThanOrEqual(5_000 + 7_500);
	});
});

describe("a model's schema", () => {
	/** An API whose schema read takes 2 s; counts the reads. */
	function slowSchema() {
		const clock = new FakeClock();
		let reads = 0;
		const { runtime } = scriptedRuntime(async (request) => {
			if (request.method === 'GET' && request.url.includes('/v1/models/')) {
				reads++;
				await clock.sleep(2_000);
				return json(200, { slug: 'flux-2', input_schema: { prompt: { type: 'string' } } });
			}
			return json(200, { request_id: `req-${clock.time}`, status: 'COMPLETED', cost: 4 });
		}, clock);
		// Each client is built apart, as each n8n execution's is: the registry gives them one KeyState.
		const registry = new KeyStates();
		const client = () =>
			new ClipiaClient(runtime, { baseUrl: 'https://api.clipia.ai', key: registry.for('key-a', runtime) });
		return { client, reads: () => reads };
	}

	it('is read once for every client of the key in a process (each n8n execution has its own client)', async () => {
		const { client, reads } = slowSchema();
		await Promise.all(
			Array.from({ length: 4 }, (_, n) =>
				generateImage({ client: client(), nextStep }, { prompt: `a cat ${n}` }, { waitSeconds: 0 }),
			),
		);
		expect(reads()).toBe(1);
	});

	it("one caller's cancel does not fail the others waiting on the same read", async () => {
		const { client, reads } = slowSchema();
		const cancel = new AbortController();
		const cancelled = generateImage(
			{ client: client(), signal: cancel.signal, nextStep },
			{ prompt: 'a cat' },
			{ waitSeconds: 0 },
		);
		const other = generateImage({ client: client(), nextStep }, { prompt: 'a dog' }, { waitSeconds: 0 });
		cancel.abort();
		await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
		await expect(other).resolves.toMatchObject({ request_id: expect.any(String) });
		expect(reads()).toBe(1);
	});
});
