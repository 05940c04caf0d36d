import { ClipiaClient, ClipiaError, normalizeBaseUrl } from '../../core';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, parseRetryAfterMs } from '../../core/http/retry';
import { json, scriptedRuntime } from '../helpers/runtime';

const SUBMITTED = {
	request_id: 'req-123456',
	status: 'IN_QUEUE',
	queue_position: 2,
	status_url: 's',
	response_url: 'r',
	cost: 4,
};

describe('retries', () => {
	it('retries 5xx with capped exponential backoff and jitter, then succeeds', async () => {
		let calls = 0;
		const { runtime, clock } = scriptedRuntime(() =>
			++calls <= 3 ? json(503, { error: { code: 'service_unavailable' } }) : json(200, { credits: 7 }),
		);
		const client = new ClipiaClient(runtime);
		await expect(client.estimate('nano-banana-2', { prompt: 'x' })).resolves.toEqual({ credits: 7 });
		// random() = 0.5 → 3/4 of each step: 1 s, 2 s, 4 s steps.
		expect(clock.sleeps.filter((ms) => ms > 0)).toEqual([750, 1500, 3000]);
	});

	it('caps the backoff at 30 s', () => {
		expect(backoffDelayMs(10, DEFAULT_RETRY_POLICY, () => 1)).toBe(30_000);
		expect(backoffDelayMs(10, DEFAULT_RETRY_POLICY, () => 0)).toBe(15_000);
	});

	it('honours Retry-After in seconds and as an HTTP date', async () => {
		const now = Date.UTC(2026, 0, 1, 12, 0, 0);
		expect(parseRetryAfterMs('3', now)).toBe(3000);
		expect(parseRetryAfterMs(new Date(now + 7000).toUTCString(), now)).toBe(7000);
		expect(parseRetryAfterMs('soon', now)).toBeUndefined();

		let calls = 0;
		const { runtime, clock } = scriptedRuntime(() =>
			++calls === 1
				? json(429, { error: { code: 'rate_limit_exceeded' } }, { 'Retry-After': '3' })
				: json(200, { credits: 1 }),
		);
		await new ClipiaClient(runtime).estimate('m', {});
		// The Retry-After, then this process's own offset past the pause (random() = 0.5: half a second).
		expect(clock.sleeps.filter((ms) => ms > 0)).toEqual([3000, 500]);
	});

	it('gives up after 4 retries with a clear sentence', async () => {
		const { runtime, requests } = scriptedRuntime(() => json(502, {}));
		const error = await new ClipiaClient(runtime).account().catch((e: unknown) => e);
		expect(requests).toHaveLength(5);
		expect(error).toBeInstanceOf(ClipiaError);
		expect((error as ClipiaError).message).toMatch(/temporarily unavailable \(HTTP 502\).*Try again/);
		expect((error as ClipiaError).retryable).toBe(true);
	});

	it('keeps retrying 429s until a deadline when asked (batches never fail on a rate limit)', async () => {
		let calls = 0;
		const { runtime, clock } = scriptedRuntime(() =>
			++calls <= 8 ? json(429, {}, { 'Retry-After': '2' }) : json(200, SUBMITTED),
		);
		const client = new ClipiaClient(runtime);
		const answer = await client.submit('m', { prompt: 'x' }, { rateLimitDeadline: clock.time + 60_000 });
		expect(answer.request_id).toBe('req-123456');
		expect(calls).toBe(9);
	});

	it('never retries 404 or other 4xx', async () => {
		for (const status of [400, 401, 402, 403, 404, 422]) {
			const { runtime, requests } = scriptedRuntime(() => json(status, { error: { message: 'no' } }));
			await expect(new ClipiaClient(runtime).getModel('x')).rejects.toBeInstanceOf(ClipiaError);
			expect(requests).toHaveLength(1);
		}
	});

	it('retries 409 request_in_progress later', async () => {
		let calls = 0;
		const { runtime } = scriptedRuntime(() =>
			++calls === 1
				? json(409, { error: { code: 'request_in_progress' } }, { 'Retry-After': '1' })
				: json(200, SUBMITTED),
		);
		await expect(new ClipiaClient(runtime).submit('m', { prompt: 'x' })).resolves.toMatchObject({
			request_id: 'req-123456',
		});
		expect(calls).toBe(2);
	});

	it('does not retry 409 idempotency_key_reuse', async () => {
		const { runtime, requests } = scriptedRuntime(() => json(409, { error: { code: 'idempotency_key_reuse' } }));
		const error = (await new ClipiaClient(runtime).submit('m', {}).catch((e: unknown) => e)) as ClipiaError;
		expect(requests).toHaveLength(1);
		expect(error.code).toBe('idempotency_key_reuse');
		expect(error.message).toMatch(/Submit again as a new request/);
	});

	it('retries a malformed 2xx answer', async () => {
		let calls = 0;
		const { runtime } = scriptedRuntime(() =>
			++calls === 1 ? json(200, '{"request_id": "x", "st') : json(200, { credits: 3 }),
		);
		await expect(new ClipiaClient(runtime).estimate('m', {})).resolves.toEqual({ credits: 3 });
	});
});

describe('idempotency', () => {
	it('a retried submit resends its original Idempotency-Key on every attempt', async () => {
		let calls = 0;
		const { runtime, requests } = scriptedRuntime(() => {
			calls++;
			if (calls === 1) return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
			if (calls === 2) return json(503, {});
			return json(200, SUBMITTED);
		});
		const client = new ClipiaClient(runtime);
		await client.submit('nano-banana-2', { prompt: 'a fox' });
		const keys = requests.map((r) => r.headers['Idempotency-Key']);
		expect(keys).toHaveLength(3);
		expect(new Set(keys).size).toBe(1);
		expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

		await client.submit('nano-banana-2', { prompt: 'a fox' });
		expect(requests[3].headers['Idempotency-Key']).not.toBe(keys[0]);
	});

	it('a submit whose outcome stays unknown reports the key that makes resending safe', async () => {
		const { runtime } = scriptedRuntime(() =>
			Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
		);
		const error = (await new ClipiaClient(runtime)
			.submit('m', { prompt: 'x' })
			.catch((e: unknown) => e)) as ClipiaError;
		expect(error.code).toBe('network_error');
		expect(error.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
		expect(error.message).toMatch(/may or may not have reached Clipia/);
		expect(error.message).toMatch(/ECONNREFUSED, 5 attempts/);
	});
});

describe('base URL', () => {
	it('accepts https and local http only', () => {
		expect(normalizeBaseUrl(undefined)).toBe('https://api.clipia.ai');
		expect(normalizeBaseUrl('https://proxy.example.com/')).toBe('https://proxy.example.com');
		expect(normalizeBaseUrl('http://127.0.0.1:4010')).toBe('http://127.0.0.1:4010');
		expect(normalizeBaseUrl('http://localhost:4010')).toBe('http://localhost:4010');
		expect(() => normalizeBaseUrl('http://api.clipia.ai')).toThrow(/must start with https/);
		expect(() => normalizeBaseUrl('not a url')).toThrow(/not a valid URL/);
	});
});

describe('models', () => {
	it('keeps generation models and skips LLM entries', async () => {
		const { runtime } = scriptedRuntime(() =>
			json(200, {
				data: [
					{ slug: 'nano-banana-2', type: 'image', name: 'NB2', capabilities: [], pricing: { credits: 4 } },
					{ id: 'gpt', object: 'model', context_length: 1000, pricing: { prompt: '0.1' } },
				],
			}),
		);
		const models = await new ClipiaClient(runtime).listModels();
		expect(models.map((m) => m.slug)).toEqual(['nano-banana-2']);
	});
});
