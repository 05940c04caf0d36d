/**
 * A Clipia key on a stepped fake clock, for the scheduling tests: it runs generations for
 * the time the test gives each, holds the key's two published limits (requests per minute,
 * generations at once) and refuses past them as Clipia does, replays a submit by its
 * Idempotency-Key, and can be made hostile: 429 storms, answers that stall until the
 * request's own timeout, slow answers. It counts what a user would be charged.
 */

import type { HttpRequest, HttpResponse, Runtime } from '../../core';
import { abortError } from '../../core';
import { json, SteppedClock } from './runtime';

export interface FakeKeyOptions {
	/** Requests per minute the key allows (its `RateLimit-Limit`). */
	perMinute?: number;
	/** Generations the key runs at once. */
	concurrency?: number;
	/** How long a generation runs, from its submit's input. */
	runMs?: (input: Record<string, unknown>) => number;
}

export type Fault =
	| { kind: 'storm'; retryAfterSeconds?: number }
	| { kind: 'stall' }
	| { kind: 'slow'; ms: number }
	| { kind: 'none' };

export interface KeyRequest {
	at: number;
	method: string;
	url: string;
	idempotencyKey?: string;
	body?: string;
	/** When its answer left, or the caller stopped waiting (timeout, cancel). */
	answeredAt?: number;
	/** Refused for too many generations at once (with room left in the minute, as a client tells it). */
	tooManyAtOnce?: boolean;
}

interface Job {
	id: string;
	start: number;
	end: number;
	idempotencyKey: string;
	body: string;
}

export class FakeKey {
	readonly clock = new SteppedClock();
	readonly jobs = new Map<string, Job>();
	readonly byIdempotencyKey = new Map<string, Job>();
	/** Every request that reached the key: when, what, when it was answered (or given up). */
	readonly requests: KeyRequest[] = [];
	/** Requests over the key's published per-minute limit (Clipia answered 429 to each). */
	overLimit = 0;
	/** What the next requests meet, in order; then `none`. */
	faults: Fault[] = [];
	private readonly perMinute: number;
	private readonly concurrency: number;
	private readonly runMs: (input: Record<string, unknown>) => number;

	constructor(options: FakeKeyOptions = {}) {
		this.perMinute = options.perMinute ?? 120;
		this.concurrency = options.concurrency ?? 10;
		this.runMs = options.runMs ?? (() => 8_000);
	}

	get runtime(): Runtime {
		let n = 0;
		return {
			transport: (request) => this.answer(request),
			sleep: this.clock.sleep,
			now: this.clock.now,
			random: () => 0.5,
			uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}${Math.random().toString(16).slice(2, 6)}`,
		};
	}

	/** Charged generations: one per distinct submission. */
	get charged(): number {
		return this.jobs.size;
	}

	private async answer(request: HttpRequest): Promise<HttpResponse> {
		const idempotencyKey = request.headers['Idempotency-Key'];
		const body = request.body === undefined ? undefined : JSON.stringify(request.body);
		const record: KeyRequest = { at: this.clock.now(), method: request.method, url: request.url, idempotencyKey, body };
		this.requests.push(record);
		try {
			const response = await this.respond(request, idempotencyKey);
			const message = (response.body as { error?: { message?: string } })?.error?.message ?? '';
			record.tooManyAtOnce =
				response.status === 429 && /concurrent/.test(message) && Number(response.headers['ratelimit-remaining']) > 0;
			return response;
		} finally {
			record.answeredAt = this.clock.now();
		}
	}

	private async respond(request: HttpRequest, idempotencyKey: string | undefined): Promise<HttpResponse> {
		const now = this.clock.now();
		const fault = this.faults.shift() ?? { kind: 'none' };
		if (fault.kind === 'stall') return this.never(request);
		if (fault.kind === 'slow') await this.within(request, fault.ms);
		const minute = this.requests.filter((one) => one.at > now - 60_000);
		const inMinute = minute.length;
		const limits = {
			'RateLimit-Limit': String(this.perMinute),
			'RateLimit-Remaining': String(Math.max(0, this.perMinute - inMinute)),
			// When the oldest request of the window leaves it.
			'RateLimit-Reset': String(Math.max(1, Math.ceil((minute[0].at + 60_000 - now) / 1000))),
		};
		if (inMinute > this.perMinute) {
			this.overLimit++;
			return json(429, { error: { code: 'rate_limit_exceeded', message: 'Rate limit exceeded' } }, limits);
		}
		if (fault.kind === 'storm') {
			const headers: Record<string, string> = { ...limits, 'RateLimit-Remaining': '0' };
			if (fault.retryAfterSeconds !== undefined) {
				headers['Retry-After'] = String(fault.retryAfterSeconds);
				headers['RateLimit-Reset'] = String(fault.retryAfterSeconds);
			}
			return json(429, { error: { code: 'rate_limit_exceeded', message: 'Rate limit exceeded' } }, headers);
		}
		const path = new URL(request.url).pathname;
		if (request.method === 'GET' && path.startsWith('/v1/models/'))
			return json(200, { slug: path.split('/').pop(), type: 'video', name: 'A model', input_schema: {} }, limits);
		if (path === '/v1/models') return json(200, { data: [] }, limits);
		if (path === '/v1/account')
			return json(
				200,
				{ account_id: 'acc', balance: { credits: 100 }, usage_30d: { requests: 0, credits_spent: 0 } },
				limits,
			);
		if (request.method === 'POST') return this.submit(request, idempotencyKey, limits);
		const id = path.split('/').pop()!;
		const job = this.jobs.get(id);
		if (!job) return json(404, { error: { code: 'not_found', message: 'No such request' } }, limits);
		return json(this.clock.now() >= job.end ? 200 : 202, this.state(job), limits);
	}

	private submit(request: HttpRequest, idempotencyKey: string | undefined, limits: Record<string, string>) {
		const now = this.clock.now();
		const body = JSON.stringify(request.body);
		const replay = idempotencyKey ? this.byIdempotencyKey.get(idempotencyKey) : undefined;
		if (replay) return json(200, { ...this.state(replay), cost: 4 }, limits);
		const running = [...this.jobs.values()].filter((job) => job.end > now);
		if (running.length >= this.concurrency) {
			const soonest = Math.min(...running.map((job) => job.end));
			return json(
				429,
				{
					error: {
						code: 'rate_limit_exceeded',
						message: `Too many concurrent generations (limit ${this.concurrency})`,
					},
				},
				{ ...limits, 'Retry-After': String(Math.max(1, Math.ceil((soonest - now) / 1000))) },
			);
		}
		const input = (request.body as { input: Record<string, unknown> }).input;
		const id = `${String(this.jobs.size + 1).padStart(8, '0')}-aaaa-4bbb-8ccc-dddddddddddd`;
		const job: Job = { id, start: now, end: now + this.runMs(input), idempotencyKey: idempotencyKey ?? '', body };
		this.jobs.set(id, job);
		if (idempotencyKey) this.byIdempotencyKey.set(idempotencyKey, job);
		return json(200, { ...this.state(job), cost: 4 }, limits);
	}

	private state(job: Job): Record<string, unknown> {
		const now = this.clock.now();
		if (now >= job.end)
			return {
				request_id: job.id,
				status: 'COMPLETED',
				model: 'flux-2',
				output: { images: [{ url: `https://media.clipia.ai/${job.id}.png` }] },
				created_at: new Date(job.start).toISOString(),
				completed_at: new Date(job.end).toISOString(),
			};
		return {
			request_id: job.id,
			status: 'IN_PROGRESS',
			progress: Math.floor(((now - job.start) / (job.end - job.start)) * 100),
		};
	}

	/** A stalled answer: nothing comes until the request's own timeout or its cancel. */
	private async never(request: HttpRequest): Promise<never> {
		await this.within(request, Infinity);
		throw new Error('unreachable');
	}

	/** Waits `ms` on the fake clock, but fails as a real client would at the request's timeout or cancel. */
	private within(request: HttpRequest, ms: number): Promise<void> {
		const timeout = request.timeoutMs ?? Infinity;
		return new Promise<void>((resolve, reject) => {
			const onAbort = () => reject(abortError());
			if (request.signal?.aborted) return onAbort();
			request.signal?.addEventListener('abort', onAbort, { once: true });
			const limit = Math.min(ms, timeout);
			if (!Number.isFinite(limit)) return;
			void this.clock.sleep(limit).then(() => {
				request.signal?.removeEventListener('abort', onAbort);
				if (ms <= timeout) resolve();
				else reject(Object.assign(new Error(`timeout of ${timeout}ms exceeded`), { code: 'ECONNABORTED' }));
			});
		});
	}

	/**
	 * Runs the clock from one wake-up to the next until every promise settled: as fast as the
	 * work allows, with every sleep ending exactly on time. Throws when nothing is left to wake
	 * (a promise that can never settle) or after `maxMs` of fake time.
	 */
	async settle<T>(work: Array<Promise<T>>, maxMs = 60 * 60_000): Promise<Array<PromiseSettledResult<T>>> {
		let done = false;
		const all = Promise.allSettled(work).finally(() => (done = true));
		const started = this.clock.now();
		await this.clock.advance(0);
		while (!done) {
			const next = this.clock.nextWake();
			if (next === undefined) throw new Error('stuck: a call waits for something that can never come');
			if (next - started > maxMs) throw new Error(`still running after ${maxMs} ms of fake time`);
			await this.clock.advance(Math.max(0, next - this.clock.now()));
		}
		return all;
	}

	/** Runs the clock on in `stepMs` steps until every promise settled (or `maxMs` passed, a bug in the code under test). */
	async until<T>(work: Array<Promise<T>>, stepMs = 100, maxMs = 30 * 60_000): Promise<Array<PromiseSettledResult<T>>> {
		let done = false;
		const all = Promise.allSettled(work).finally(() => (done = true));
		const started = this.clock.now();
		while (!done && this.clock.now() - started < maxMs) await this.clock.advance(stepMs);
		if (!done) throw new Error(`still running after ${maxMs} ms of fake time`);
		return all;
	}
}
