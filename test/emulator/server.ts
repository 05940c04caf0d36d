/**
 * A local Clipia: the queue API of clipia-api.md over real HTTP, for tests, benchmarks
 * and `npm start`. It keeps time on a scaled clock (`timeScale` 60 runs a one-minute
 * video in a second, rate-limit windows and Retry-After included), counts every request
 * and credit per key, and takes injected faults.
 */

import { createHmac, createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findModel, inputProblem, LLM_ENTRY, MODELS, priceOf, publicModel, type EmulatedModel } from './catalog';
import { mp3, mp4Size, mp4Stream, png, webp } from './media';

export type Scope = 'generate' | 'read';

export interface KeyConfig {
	key: string;
	/** Defaults from the prefix: clipia_test_ is sandbox, anything else live. */
	mode?: 'live' | 'test';
	scopes?: Scope[];
	credits?: number;
	requestsPerMinute?: number;
	concurrency?: number;
	revoked?: boolean;
	/** Credits exist but are frozen until the account has an active subscription (402 subscription_required). */
	frozen?: boolean;
	accountId?: string;
}

export type FaultAction =
	| { type: 'status'; status: number; retryAfter?: string; code?: string }
	/** The request is handled (a submit is charged) but the connection drops before the answer. */
	| { type: 'drop' }
	/** The connection drops before anything is handled. */
	| { type: 'reset' }
	/** Answer after a pause (model-time ms). A submit stays "in progress" meanwhile. */
	| { type: 'delay'; ms: number }
	/** A 200 with a body that is not JSON. */
	| { type: 'malformed' };

export interface FaultRule {
	method?: string;
	/** Matches when the path contains this text (or matches this pattern). */
	path?: string | RegExp;
	key?: string;
	times: number;
	action: FaultAction;
}

export interface EmulatorOptions {
	port?: number;
	host?: string;
	/** Model time runs this many times faster than the wall clock. */
	timeScale?: number;
	/** Generations running at once across all keys; more wait IN_QUEUE. */
	workers?: number;
	/** Minimum time a new job spends IN_QUEUE (model-time ms). */
	dispatchMs?: number;
	/** Override run time per model slug or per type (model-time seconds). */
	runSeconds?: Record<string, number>;
	/**
	 * Rate-limit headers in wall-clock terms (limit per real minute, seconds of real time),
	 * for clients on the real clock (n8n nodes, the bridge) against a time-scaled emulator.
	 * Off, they are in model time, for clients that share the emulator's scaled clock.
	 */
	wallClockHeaders?: boolean;
	/** Report `progress` while IN_PROGRESS (real Clipia does). */
	reportProgress?: boolean;
	/** Size of generated MP4 files. */
	videoBytes?: number;
	/** Secret for webhook signatures. */
	webhookSecret?: string;
	/** Keys besides the built-in demo keys. */
	keys?: KeyConfig[];
	/** Base for media URLs (default: this server). */
	mediaBaseUrl?: string;
	/** Log each request to stderr. */
	verbose?: boolean;
}

export const DEMO_KEYS = {
	live: 'clipia_live_emulator_demo_key',
	test: 'clipia_test_emulator_demo_key',
	readOnly: 'clipia_live_emulator_read_only',
	poor: 'clipia_live_emulator_no_credits',
	frozen: 'clipia_live_emulator_frozen_credits',
} as const;

type Status = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'CANCELED';

interface Job {
	id: string;
	key: string;
	model: EmulatedModel;
	input: Record<string, unknown>;
	cost: number;
	charged: boolean;
	createdAt: number;
	readyAt: number;
	runMs: number;
	outcome: 'COMPLETED' | 'FAILED' | 'CANCELED';
	reportProgress: boolean;
	startedAt?: number;
	endAt?: number;
	status: Status;
	webhookUrl?: string;
	webhookDone: boolean;
	sandbox: boolean;
}

interface KeyState extends Required<Omit<KeyConfig, 'accountId'>> {
	accountId: string;
	window: number[];
	stats: KeyStats;
}

export interface KeyStats {
	requests: number;
	byRoute: Record<string, number>;
	/** Net credits taken (refunds subtracted). */
	charged: number;
	/** Jobs created (replays excluded). */
	jobs: number;
	rateLimited: number;
}

export interface LoggedRequest {
	at: number;
	method: string;
	path: string;
	route: string;
	key?: string;
	headers: Record<string, string | string[] | undefined>;
	body?: unknown;
	status?: number;
}

interface IdempotencyEntry {
	hash: string;
	state: 'processing' | 'done';
	answer?: { status: number; body: unknown };
	expiresAt: number;
}

export interface WebhookDelivery {
	url: string;
	requestId: string;
	attempt: number;
	status?: number;
}

const DAY_MS = 24 * 3600 * 1000;

export class ClipiaEmulator {
	readonly options: Required<Omit<EmulatorOptions, 'mediaBaseUrl' | 'keys' | 'port' | 'host'>> & { mediaBaseUrl?: string };
	private server?: Server;
	private readonly keys = new Map<string, KeyState>();
	private readonly jobs = new Map<string, Job>();
	private queue: Job[] = [];
	private readonly running = new Set<Job>();
	private readonly idempotency = new Map<string, IdempotencyEntry>();
	readonly faults: FaultRule[] = [];
	readonly log: LoggedRequest[] = [];
	readonly webhookDeliveries: WebhookDelivery[] = [];
	private readonly realStart = Date.now();
	private ticker?: NodeJS.Timeout;
	private cursor = 0;
	private readonly sockets = new Set<import('node:net').Socket>();
	url = '';

	constructor(private readonly init: EmulatorOptions = {}) {
		this.options = {
			timeScale: init.timeScale ?? 1,
			workers: init.workers ?? Number.POSITIVE_INFINITY,
			dispatchMs: init.dispatchMs ?? 500,
			runSeconds: init.runSeconds ?? {},
			reportProgress: init.reportProgress ?? true,
			wallClockHeaders: init.wallClockHeaders ?? false,
			videoBytes: init.videoBytes ?? 256 * 1024,
			webhookSecret: init.webhookSecret ?? 'whsec_emulator_secret',
			verbose: init.verbose ?? false,
			mediaBaseUrl: init.mediaBaseUrl,
		};
		this.addKey({ key: DEMO_KEYS.live, credits: 10_000 });
		this.addKey({ key: DEMO_KEYS.test });
		this.addKey({ key: DEMO_KEYS.readOnly, scopes: ['read'] });
		this.addKey({ key: DEMO_KEYS.poor, credits: 0 });
		this.addKey({ key: DEMO_KEYS.frozen, credits: 500, frozen: true });
		for (const key of init.keys ?? []) this.addKey(key);
	}

	/** Requests per minute as the client's clock sees them. */
	private advertisedLimit(perModelMinute: number): number {
		return this.options.wallClockHeaders ? Math.floor(perModelMinute * this.options.timeScale) : perModelMinute;
	}

	/** Model seconds as the client's clock sees them (whole seconds, at least 1). */
	private advertisedSeconds(modelSeconds: number): number {
		return this.options.wallClockHeaders ? Math.max(1, Math.ceil(modelSeconds / this.options.timeScale)) : modelSeconds;
	}

	/** Model-time now, in ms. */
	now(): number {
		return this.realStart + (Date.now() - this.realStart) * this.options.timeScale;
	}

	addKey(config: KeyConfig): void {
		this.keys.set(config.key, {
			key: config.key,
			mode: config.mode ?? (config.key.startsWith('clipia_test_') ? 'test' : 'live'),
			scopes: config.scopes ?? ['generate', 'read'],
			credits: config.credits ?? 1_000,
			requestsPerMinute: config.requestsPerMinute ?? 120,
			concurrency: config.concurrency ?? 10,
			revoked: config.revoked ?? false,
			frozen: config.frozen ?? false,
			accountId: config.accountId ?? `acct_${createHash('sha256').update(config.key).digest('hex').slice(0, 12)}`,
			window: [],
			stats: { requests: 0, byRoute: {}, charged: 0, jobs: 0, rateLimited: 0 },
		});
	}

	/** Credits left on a key. */
	balance(key: string): number {
		return this.mustKey(key).credits;
	}

	stats(key: string): KeyStats {
		return this.mustKey(key).stats;
	}

	/** Adds a fault rule; rules are consumed in order. */
	inject(rule: FaultRule): void {
		this.faults.push(rule);
	}

	/** A job's lifecycle as the emulator sees it (model-time ms), for tests and benchmarks. */
	jobInfo(requestId: string): { status: Status; createdAt: number; startedAt?: number; endAt?: number } | undefined {
		this.advance();
		const job = this.jobs.get(requestId);
		return job && { status: job.status, createdAt: job.createdAt, startedAt: job.startedAt, endAt: job.endAt };
	}

	/** Finishes a running job at once with the given outcome (as the web app can cancel). */
	forceOutcome(requestId: string, outcome: 'COMPLETED' | 'FAILED' | 'CANCELED'): void {
		this.advance();
		const job = this.jobs.get(requestId);
		if (!job || isTerminalStatus(job.status)) return;
		job.outcome = outcome;
		if (!job.startedAt) {
			this.queue = this.queue.filter((queued) => queued !== job);
			job.startedAt = this.now();
		}
		this.running.delete(job);
		this.finish(job, this.now());
	}

	async start(port = this.init.port ?? 0, host = this.init.host ?? '127.0.0.1'): Promise<string> {
		this.server = createServer((req, res) => {
			this.handle(req, res).catch((error: unknown) => {
				if (!res.headersSent) this.sendError(res, 500, 'internal_error', 'Internal error');
				if (this.options.verbose) console.error('[emulator]', error);
			});
		});
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		this.server.keepAliveTimeout = 5_000;
		await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
		const address = this.server.address() as AddressInfo;
		this.url = `http://${host}:${address.port}`;
		this.ticker = setInterval(() => this.tick(), 25);
		this.ticker.unref();
		return this.url;
	}

	async stop(): Promise<void> {
		if (this.ticker) clearInterval(this.ticker);
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	// ---- time and the queue -------------------------------------------------------

	/** Moves every job forward to model-time `now`, in event order. */
	private advance(now = this.now()): void {
		for (;;) {
			let nextEnd: Job | undefined;
			for (const job of this.running) if (!nextEnd || job.endAt! < nextEnd.endAt!) nextEnd = job;
			const head = this.queue[0];
			const canStart = head && this.running.size < this.options.workers;
			const startAt = canStart ? Math.max(head.readyAt, this.cursor) : Number.POSITIVE_INFINITY;
			const endAt = nextEnd ? nextEnd.endAt! : Number.POSITIVE_INFINITY;
			if (canStart && startAt <= now && startAt <= endAt) {
				this.queue.shift();
				head.startedAt = startAt;
				head.status = 'IN_PROGRESS';
				const runShare = head.outcome === 'COMPLETED' ? 1 : 0.5;
				head.endAt = startAt + head.runMs * runShare;
				this.running.add(head);
				this.cursor = Math.max(this.cursor, startAt);
				continue;
			}
			if (nextEnd && endAt <= now) {
				this.running.delete(nextEnd);
				this.cursor = Math.max(this.cursor, endAt);
				this.finish(nextEnd, endAt);
				continue;
			}
			break;
		}
		this.cursor = Math.max(this.cursor, Math.min(now, this.queue[0]?.readyAt ?? now));
	}

	private finish(job: Job, at: number): void {
		job.status = job.outcome;
		job.endAt = at;
		if (job.outcome !== 'COMPLETED' && job.charged) {
			const key = this.mustKey(job.key);
			key.credits += job.cost;
			key.stats.charged -= job.cost;
			job.charged = false;
		}
	}

	private tick(): void {
		this.advance();
		for (const job of this.jobs.values()) {
			if (job.webhookUrl && !job.webhookDone && isTerminalStatus(job.status)) {
				job.webhookDone = true;
				void this.deliverWebhook(job, 1);
			}
		}
	}

	private queuePosition(job: Job): number {
		return Math.max(0, this.queue.indexOf(job));
	}

	private progress(job: Job, now: number): number | null {
		if (!job.reportProgress || job.status !== 'IN_PROGRESS' || job.startedAt === undefined) return null;
		return Math.min(99, Math.floor((100 * (now - job.startedAt)) / job.runMs));
	}

	// ---- HTTP -----------------------------------------------------------------------

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://emulator');
		const path = url.pathname;
		const method = req.method ?? 'GET';
		const raw = await readBody(req);
		const route = routeOf(method, path);
		const entry: LoggedRequest = { at: this.now(), method, path, route, headers: { ...req.headers } };
		if (raw.length) {
			try {
				entry.body = JSON.parse(raw.toString('utf8'));
			} catch {
				entry.body = raw.toString('utf8');
			}
		}
		if (route !== 'admin') this.log.push(entry);
		res.on('finish', () => (entry.status = res.statusCode));
		if (this.options.verbose) console.error(`[emulator] ${method} ${path}`);

		if (route === 'admin') return this.handleAdmin(method, path, entry.body, res);
		if (route === 'media') return this.serveMedia(path, res);
		if (route === 'webhook-echo') return send(res, 200, { ok: true });

		const key = this.authenticate(req);
		entry.key = key?.key;
		if (!key) return this.sendError(res, 401, 'invalid_api_key', 'Missing or invalid API key');
		if (route === 'unknown') return this.sendError(res, 404, 'not_found', `No route ${method} ${path}`);

		const fault = this.takeFault(method, path, key.key);
		if (fault?.type === 'reset') {
			req.socket.destroy();
			return;
		}
		if (fault?.type === 'status') {
			key.stats.requests++;
			if (fault.retryAfter !== undefined) res.setHeader('Retry-After', fault.retryAfter);
			const code = fault.code ?? (fault.status === 429 ? 'rate_limit_exceeded' : fault.status === 503 ? 'service_unavailable' : 'internal_error');
			return this.sendError(res, fault.status, code, fault.status === 429 ? 'Rate limit exceeded' : 'Temporary failure');
		}

		// Rate limit: a sliding one-minute window per key (model time).
		const now = this.now();
		key.window = key.window.filter((t) => t > now - 60_000);
		const resetSeconds = key.window.length ? Math.max(1, Math.ceil((key.window[0] + 60_000 - now) / 1000)) : 60;
		if (key.window.length >= key.requestsPerMinute) {
			key.stats.rateLimited++;
			res.setHeader('RateLimit-Limit', String(this.advertisedLimit(key.requestsPerMinute)));
			res.setHeader('RateLimit-Remaining', '0');
			res.setHeader('RateLimit-Reset', String(this.advertisedSeconds(resetSeconds)));
			res.setHeader('Retry-After', String(this.advertisedSeconds(resetSeconds)));
			return this.sendError(res, 429, 'rate_limit_exceeded', 'Rate limit exceeded: too many requests per minute');
		}
		key.window.push(now);
		key.stats.requests++;
		key.stats.byRoute[route] = (key.stats.byRoute[route] ?? 0) + 1;
		res.setHeader('RateLimit-Limit', String(this.advertisedLimit(key.requestsPerMinute)));
		res.setHeader('RateLimit-Remaining', String(key.requestsPerMinute - key.window.length));
		res.setHeader('RateLimit-Reset', String(this.advertisedSeconds(resetSeconds)));

		// A slow submit is slow while "processing" (see submit), so a twin meets request_in_progress.
		if (fault?.type === 'delay' && route !== 'submit') await this.sleepModel(fault.ms);
		if (fault?.type === 'malformed') {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end('{"request_id": "oops", "status": ');
			return;
		}

		const answer = await this.route(route, method, path, entry.body, raw, req, key, fault);
		if (fault?.type === 'drop') {
			req.socket.destroy();
			return;
		}
		if (answer.headers) for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
		send(res, answer.status, answer.body);
	}

	private async route(
		route: string,
		method: string,
		path: string,
		body: unknown,
		raw: Buffer,
		req: IncomingMessage,
		key: KeyState,
		fault: FaultAction | undefined,
	): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
		const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
		switch (route) {
			case 'models':
				return { status: 200, body: { data: [...MODELS.map(publicModel), LLM_ENTRY] } };
			case 'model': {
				const model = findModel(segments[2]);
				if (!model) return errorAnswer(404, 'not_found', `Model ${segments[2]} not found`);
				return { status: 200, body: { ...publicModel(model), input_schema: model.inputSchema } };
			}
			case 'estimate': {
				const model = findModel(segments[2]);
				if (!model) return errorAnswer(404, 'not_found', `Model ${segments[2]} not found`);
				const input = inputOf(body, raw);
				if (typeof input === 'string') return errorAnswer(400, 'invalid_request', input);
				const problem = inputProblem(model, input);
				if (problem) return errorAnswer(422, 'model_input_invalid', problem);
				return { status: 200, body: { credits: priceOf(model, input) } };
			}
			case 'account':
				return {
					status: 200,
					body: {
						account_id: key.accountId,
						balance: { credits: key.credits },
						usage_30d: { requests: key.stats.requests, credits_spent: key.stats.charged },
					},
				};
			case 'submit':
				return this.submit(segments[2], body, raw, req, key, fault);
			case 'status':
			case 'result': {
				this.advance();
				const job = this.jobs.get(segments[2]);
				if (!job || job.key !== key.key) return errorAnswer(404, 'not_found', `Request ${segments[2]} not found`);
				return route === 'status' ? { status: 200, body: this.statusBody(job) } : this.resultAnswer(job);
			}
			default:
				return errorAnswer(404, 'not_found', `No route ${method} ${path}`);
		}
	}

	private async submit(
		slug: string,
		body: unknown,
		raw: Buffer,
		req: IncomingMessage,
		key: KeyState,
		fault: FaultAction | undefined,
	): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
		if (!key.scopes.includes('generate')) {
			return errorAnswer(403, 'insufficient_scope', 'This API key lacks the generate scope');
		}
		const idempotencyKey = header(req, 'idempotency-key');
		const now = this.now();
		const hash = createHash('sha256').update(slug).update('\n').update(raw).digest('hex');
		const slot = idempotencyKey ? `${key.key}\n${idempotencyKey}` : undefined;
		if (slot) {
			const seen = this.idempotency.get(slot);
			if (seen && seen.expiresAt > now) {
				if (seen.hash !== hash) return errorAnswer(409, 'idempotency_key_reuse', 'Idempotency-Key reused with a different request');
				if (seen.state === 'processing') {
					return { ...errorAnswer(409, 'request_in_progress', 'A request with this Idempotency-Key is still being processed'), headers: { 'Retry-After': '1' } };
				}
				return { ...seen.answer!, headers: { 'Idempotent-Replayed': 'true' } };
			}
		}
		const remember = (answer: { status: number; body: unknown }) => {
			// Only answers that created a job are replayed; errors may be retried afresh.
			if (slot && answer.status === 200) this.idempotency.set(slot, { hash, state: 'done', answer, expiresAt: now + DAY_MS });
			else if (slot) this.idempotency.delete(slot);
			return answer;
		};
		if (slot) this.idempotency.set(slot, { hash, state: 'processing', expiresAt: now + DAY_MS });
		if (fault?.type === 'delay') await this.sleepModel(fault.ms);

		const model = findModel(slug);
		if (!model) return remember(errorAnswer(404, 'not_found', `Model ${slug} not found`));
		const input = inputOf(body, raw);
		if (typeof input === 'string') return remember(errorAnswer(400, 'invalid_request', input));
		const webhookUrl = (body as { webhook_url?: unknown }).webhook_url;
		if (webhookUrl !== undefined && (typeof webhookUrl !== 'string' || !/^https?:\/\//.test(webhookUrl))) {
			return remember(errorAnswer(400, 'invalid_request', 'webhook_url must be an http(s) URL'));
		}
		const problem = inputProblem(model, input);
		if (problem) return remember(errorAnswer(422, 'model_input_invalid', problem));
		const cost = priceOf(model, input);
		const sandbox = key.mode === 'test';

		this.advance();
		if (!sandbox) {
			const inFlight = [...this.jobs.values()].filter((job) => job.key === key.key && !isTerminalStatus(job.status));
			if (inFlight.length >= key.concurrency) {
				const soonest = Math.min(...inFlight.map((job) => job.endAt ?? job.readyAt + job.runMs));
				const retryAfter = Math.max(1, Math.ceil((soonest - now) / 1000));
				key.stats.rateLimited++;
				const answer = errorAnswer(429, 'rate_limit_exceeded', `Too many concurrent generations (limit ${key.concurrency})`);
				remember(answer);
				return { ...answer, headers: { 'Retry-After': String(this.advertisedSeconds(retryAfter)) } };
			}
			if (key.frozen) {
				return remember(errorAnswer(402, 'subscription_required', 'Your credits are frozen until the account has an active subscription'));
			}
			if (key.credits < cost) {
				return remember(errorAnswer(402, 'insufficient_credits', `This generation costs ${cost} credits; the balance is ${key.credits}`));
			}
		}

		const directives = directivesOf(input.prompt);
		const runSeconds =
			directives.duration ?? this.options.runSeconds[model.slug] ?? this.options.runSeconds[model.type] ?? model.runSeconds;
		const job: Job = {
			id: randomUUID(),
			key: key.key,
			model,
			input,
			cost,
			charged: !sandbox,
			createdAt: now,
			readyAt: now + this.options.dispatchMs,
			runMs: runSeconds * 1000,
			outcome: directives.outcome ?? 'COMPLETED',
			reportProgress: this.options.reportProgress && !directives.noProgress,
			status: 'IN_QUEUE',
			webhookUrl: typeof webhookUrl === 'string' ? webhookUrl : undefined,
			webhookDone: false,
			sandbox,
		};
		this.jobs.set(job.id, job);
		key.stats.jobs++;
		if (sandbox) {
			job.status = 'COMPLETED';
			job.outcome = 'COMPLETED';
			job.startedAt = now;
			job.endAt = now;
		} else {
			key.credits -= cost;
			key.stats.charged += cost;
			this.queue.push(job);
			this.advance();
		}
		return remember({
			status: 200,
			body: {
				request_id: job.id,
				status: job.status,
				queue_position: job.status === 'IN_QUEUE' ? this.queuePosition(job) : sandbox ? 0 : null,
				status_url: `${this.url}/v1/requests/${job.id}/status`,
				response_url: `${this.url}/v1/requests/${job.id}`,
				// In the published OpenAPI file (the docs say there is no cancel): clients must pass over it.
				cancel_url: `${this.url}/v1/requests/${job.id}/cancel`,
				cost,
			},
		});
	}

	private statusBody(job: Job): Record<string, unknown> {
		const now = this.now();
		return {
			request_id: job.id,
			status: job.status,
			queue_position: job.status === 'IN_QUEUE' ? this.queuePosition(job) : null,
			progress: this.progress(job, now),
			logs: [],
		};
	}

	private resultAnswer(job: Job): { status: number; body: unknown } {
		if (!isTerminalStatus(job.status)) return { status: 202, body: this.statusBody(job) };
		const body: Record<string, unknown> = {
			request_id: job.id,
			status: job.status,
			model: job.model.slug,
			cost: job.cost,
			created_at: new Date(job.createdAt).toISOString(),
			completed_at: new Date(job.endAt!).toISOString(),
		};
		if (job.status === 'COMPLETED') body.output = this.outputOf(job);
		if (job.status === 'FAILED') body.error = { code: 'GENERATION_FAILED', message: 'The model could not generate this request' };
		if (job.status === 'CANCELED') body.error = { code: 'CANCELED', message: 'The generation was canceled' };
		return { status: 200, body };
	}

	private outputOf(job: Job): Record<string, unknown> {
		const base = `${this.options.mediaBaseUrl ?? this.url}/media`;
		const id = job.sandbox ? 'sample' : job.id;
		if (job.model.type === 'image') {
			const [width, height] = imageSize(String(job.input.resolution ?? '1k'), String(job.input.aspect_ratio ?? '1:1'));
			const asked = job.sandbox ? 1 : Number(job.input.num_images ?? 1);
			if (job.model.tilesVariants && asked > 1) {
				// All variants side by side in one image.
				const columns = Math.ceil(Math.sqrt(asked));
				const [w, h] = [width * columns, height * Math.ceil(asked / columns)];
				return { images: [{ url: `${base}/${id}/0-${w}x${h}.webp`, original_url: `${base}/${id}/0-${w}x${h}.png`, width: w, height: h }] };
			}
			return {
				images: Array.from({ length: asked }, (_, n) => ({
					url: `${base}/${id}/${n}-${width}x${height}.webp`,
					original_url: `${base}/${id}/${n}-${width}x${height}.png`,
					width,
					height,
				})),
			};
		}
		if (job.model.type === 'video') {
			const [width, height] = videoSize(String(job.input.resolution ?? '720p'), String(job.input.aspect_ratio ?? '16:9'));
			return { video: { url: `${base}/${id}/video-${this.options.videoBytes}.mp4`, width, height, duration: Number(job.input.duration ?? 5) } };
		}
		return { audio: { url: `${base}/${id}/audio.mp3`, duration: Number(job.input.duration ?? 30) } };
	}

	private serveMedia(path: string, res: ServerResponse): void {
		const name = path.split('/').pop() ?? '';
		const id = path.split('/').slice(-2)[0];
		if (directivesOf(this.jobs.get(id)?.input.prompt).badMedia) {
			// A media host that answers with a page, under the Content-Type the file would have.
			const type = name.endsWith('.mp4') ? 'video/mp4' : name.endsWith('.mp3') ? 'audio/mpeg' : `image/${name.split('.').pop()}`;
			res.writeHead(200, { 'Content-Type': type });
			res.end('<!doctype html><html><body>Access denied</body></html>');
			return;
		}
		let match = name.match(/^(\d+)-(\d+)x(\d+)\.(png|webp)$/);
		if (match) {
			const [, n, w, h, ext] = match;
			const prompt = id === 'sample' ? 'Clipia sample image' : String(this.jobs.get(id)?.input.prompt ?? '');
			const bytes = ext === 'png' ? png(Number(w), Number(h), Number(n), prompt) : webp(Number(w), Number(h), Number(n));
			res.writeHead(200, { 'Content-Type': `image/${ext}`, 'Content-Length': bytes.length });
			res.end(bytes);
			return;
		}
		match = name.match(/^video-(\d+)\.mp4$/);
		if (match) {
			const size = mp4Size(Number(match[1]));
			res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': size });
			const stream = mp4Stream(size);
			stream.pipe(res);
			res.on('close', () => stream.destroy());
			return;
		}
		if (name === 'audio.mp3') {
			const bytes = mp3();
			res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': bytes.length });
			res.end(bytes);
			return;
		}
		res.writeHead(404, { 'Content-Type': 'text/plain' });
		res.end('not found');
	}

	// ---- webhooks -------------------------------------------------------------------

	private async deliverWebhook(job: Job, attempt: number): Promise<void> {
		const payload =
			job.status === 'COMPLETED'
				? { request_id: job.id, status: 'OK', payload: { model: job.model.slug, output: this.outputOf(job), cost: job.cost } }
				: { request_id: job.id, status: 'ERROR', error: (this.resultAnswer(job).body as { error: unknown }).error };
		const body = JSON.stringify(payload);
		const timestamp = Math.floor(this.now() / 1000);
		const signature = createHmac('sha256', this.options.webhookSecret).update(`${timestamp}.${body}`).digest('hex');
		const delivery: WebhookDelivery = { url: job.webhookUrl!, requestId: job.id, attempt };
		this.webhookDeliveries.push(delivery);
		try {
			const response = await fetch(job.webhookUrl!, {
				method: 'POST',
				headers: {
					'Content-Type': 'application/json',
					'X-Clipia-Webhook-Id': randomUUID(),
					'X-Clipia-Timestamp': String(timestamp),
					'X-Clipia-Signature': `t=${timestamp},v1=${signature}`,
				},
				body,
				signal: AbortSignal.timeout(10_000 / this.options.timeScale),
			});
			delivery.status = response.status;
			if (response.ok) return;
		} catch {
			delivery.status = 0;
		}
		if (attempt > 6) return;
		const backoffMs = 2 ** attempt * 1000;
		await this.sleepModel(backoffMs);
		await this.deliverWebhook(job, attempt + 1);
	}

	// ---- admin (for other processes: npm start, the real-n8n suite) ------------------

	private handleAdmin(method: string, path: string, body: unknown, res: ServerResponse): void {
		const action = path.replace('/__emulator/', '');
		if (method === 'GET' && action === 'stats') {
			const keys = Object.fromEntries([...this.keys.values()].map((key) => [key.key.slice(0, 18) + '…', { ...key.stats, credits: key.credits }]));
			return send(res, 200, { keys, jobs: this.jobs.size, requests: this.log.length });
		}
		if (method === 'GET' && action.startsWith('stats/')) {
			const key = this.keys.get(decodeURIComponent(action.slice(6)));
			if (!key) return send(res, 404, { error: 'unknown key' });
			return send(res, 200, { ...key.stats, credits: key.credits });
		}
		if (method === 'POST' && action === 'faults') {
			const rule = body as FaultRule;
			this.inject(rule);
			return send(res, 200, { ok: true, pending: this.faults.length });
		}
		if (method === 'POST' && action === 'keys') {
			this.addKey(body as KeyConfig);
			return send(res, 200, { ok: true });
		}
		send(res, 404, { error: 'unknown admin action' });
	}

	// ---- helpers --------------------------------------------------------------------

	private authenticate(req: IncomingMessage): KeyState | undefined {
		const authorization = header(req, 'authorization');
		let token = header(req, 'x-api-key');
		const match = authorization?.match(/^(Bearer|Key)\s+(.+)$/i);
		if (match) token = match[2].trim();
		const key = token ? this.keys.get(token) : undefined;
		return key && !key.revoked ? key : undefined;
	}

	private takeFault(method: string, path: string, key: string): FaultAction | undefined {
		const index = this.faults.findIndex(
			(rule) =>
				rule.times > 0 &&
				(!rule.method || rule.method === method) &&
				(!rule.key || rule.key === key) &&
				(!rule.path || (typeof rule.path === 'string' ? path.includes(rule.path) : rule.path.test(path))),
		);
		if (index < 0) return undefined;
		const rule = this.faults[index];
		rule.times--;
		if (rule.times <= 0) this.faults.splice(index, 1);
		return rule.action;
	}

	private async sleepModel(ms: number): Promise<void> {
		await new Promise((resolve) => setTimeout(resolve, ms / this.options.timeScale));
	}

	private sendError(res: ServerResponse, status: number, code: string, message: string): void {
		send(res, status, errorBody(status, code, message));
	}

	private mustKey(key: string): KeyState {
		const state = this.keys.get(key);
		if (!state) throw new Error(`unknown key ${key.slice(0, 16)}…`);
		return state;
	}
}

function routeOf(method: string, path: string): string {
	if (path.startsWith('/__emulator/')) return 'admin';
	if (path.startsWith('/media/')) return 'media';
	if (path === '/webhook-echo') return 'webhook-echo';
	if (method === 'GET' && path === '/v1/models') return 'models';
	if (method === 'GET' && /^\/v1\/models\/[^/]+$/.test(path)) return 'model';
	if (method === 'POST' && /^\/v1\/models\/[^/]+\/estimate$/.test(path)) return 'estimate';
	if (method === 'POST' && /^\/v1\/models\/[^/]+$/.test(path)) return 'submit';
	if (method === 'GET' && /^\/v1\/requests\/[^/]+\/status$/.test(path)) return 'status';
	if (method === 'GET' && /^\/v1\/requests\/[^/]+$/.test(path)) return 'result';
	if (method === 'GET' && path === '/v1/account') return 'account';
	return 'unknown';
}

interface Directives {
	outcome?: 'FAILED' | 'CANCELED';
	duration?: number;
	noProgress?: boolean;
	badMedia?: boolean;
}

/**
 * Test directives inside a prompt, so workflows in a real n8n can ask for an outcome:
 * `[emulator:fail]`, `[emulator:cancel]`, `[emulator:seconds=30]`, `[emulator:no-progress]`,
 * `[emulator:bad-media]` (its media come back as an HTML page under the media's Content-Type).
 */
function directivesOf(prompt: unknown): Directives {
	const text = typeof prompt === 'string' ? prompt : '';
	const directives: Directives = {};
	if (text.includes('[emulator:fail]')) directives.outcome = 'FAILED';
	if (text.includes('[emulator:cancel]')) directives.outcome = 'CANCELED';
	if (text.includes('[emulator:no-progress]')) directives.noProgress = true;
	if (text.includes('[emulator:bad-media]')) directives.badMedia = true;
	const seconds = text.match(/\[emulator:seconds=(\d+(?:\.\d+)?)\]/);
	if (seconds) directives.duration = Number(seconds[1]);
	return directives;
}

function inputOf(body: unknown, raw: Buffer): Record<string, unknown> | string {
	if (!raw.length) return 'The request body must be JSON with an "input" object';
	if (typeof body !== 'object' || body === null) return 'The request body is not valid JSON';
	const input = (body as { input?: unknown }).input;
	if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'The request body needs an "input" object';
	return input as Record<string, unknown>;
}

function imageSize(resolution: string, aspect: string): [number, number] {
	const size = resolution.toLowerCase();
	const long = size === '4k' ? 4096 : size === '2k' ? 2048 : 1024;
	const [w, h] = aspect.split(':').map(Number);
	if (!w || !h) return [long, long];
	return w >= h ? [long, Math.round((long * h) / w)] : [Math.round((long * w) / h), long];
}

function videoSize(resolution: string, aspect: string): [number, number] {
	const short = resolution === '1080p' ? 1080 : resolution === '480p' ? 480 : 720;
	const [w, h] = aspect.split(':').map(Number);
	if (!w || !h) return [short, short];
	return w >= h ? [Math.round((short * w) / h), short] : [short, Math.round((short * h) / w)];
}

function isTerminalStatus(status: Status): boolean {
	return status === 'COMPLETED' || status === 'FAILED' || status === 'CANCELED';
}

function header(req: IncomingMessage, name: string): string | undefined {
	const value = req.headers[name];
	return Array.isArray(value) ? value[0] : value;
}

function errorBody(status: number, code: string, message: string) {
	const type = status === 401 ? 'authentication_error' : status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
	return { error: { type, code, message } };
}

function errorAnswer(status: number, code: string, message: string): { status: number; body: unknown } {
	return { status, body: errorBody(status, code, message) };
}

function send(res: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
	res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}
