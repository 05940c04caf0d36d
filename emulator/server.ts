/**
 * A local Clipia: the queue API of docs/clipia-api.md over real HTTP, for tests, benchmarks
 * and `npm start`. It keeps time on a scaled clock (`timeScale` 60 runs a one-minute
 * video in a second, rate-limit windows and Retry-After included), counts every request
 * and credit per key, and takes injected faults.
 *
 * This file is the front door (routing, auth, limits) and the endpoints; the rest lives by
 * concern: submit.ts, admin.ts, keys.ts, faults.ts, idempotency.ts, jobs.ts (the queue),
 * webhooks.ts, catalog.ts (models and prices), media-host.ts and media.ts (real media bytes).
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { answerAdmin, type AdminView } from './admin';
import { findModel, inputProblem, LLM_ENTRY, MODELS, priceOf, publicModel } from './catalog';
import { ModelClock } from './clock';
import { answerWithStatus, Faults, type FaultRule } from './faults';
import { errorAnswer, errorBody, inputOf, readBody, routeOf, send, type Answer, type RequestContext } from './http';
import { IdempotencyStore } from './idempotency';
import { DEMO_KEYS, Keys, type KeyConfig, type KeyStats, type RefusalPolicy } from './keys';
import { isTerminalStatus, JobQueue, notFound, type Job, type Outcome, type Status } from './jobs';
import { outputOf, serveMedia } from './media-host';
import { submit, type Submission } from './submit';
import { Webhooks, type WebhookDelivery } from './webhooks';

export { DEMO_KEYS, type KeyConfig, type KeyStats, type FaultRule, type WebhookDelivery };
export type { FaultAction } from './faults';
export type { RefusalPolicy, Scope } from './keys';

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
	/** How a submit over a key's generations at once is refused, unless the key says (see RefusalPolicy). */
	refusals?: RefusalPolicy;
	/** Base for media URLs (default: this server). */
	mediaBaseUrl?: string;
	/** Log each request to stderr. */
	verbose?: boolean;
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

export class ClipiaEmulator {
	readonly options: Required<Omit<EmulatorOptions, 'mediaBaseUrl' | 'keys' | 'port' | 'host'>> & {
		mediaBaseUrl?: string;
	};
	readonly log: LoggedRequest[] = [];
	url = '';
	private readonly clock: ModelClock;
	private readonly keys: Keys;
	private readonly faults = new Faults();
	private readonly idempotency = new IdempotencyStore();
	private readonly queue: JobQueue;
	private readonly webhooks: Webhooks;
	private server?: Server;
	private ticker?: NodeJS.Timeout;
	private readonly sockets = new Set<Socket>();
	/** What submits work with (see submit.ts). */
	private readonly submission: Submission;

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
			refusals: init.refusals ?? 'projected',
			mediaBaseUrl: init.mediaBaseUrl,
		};
		this.clock = new ModelClock(this.options.timeScale, this.options.wallClockHeaders);
		this.keys = new Keys(this.clock, this.options.refusals);
		this.queue = new JobQueue(this.clock, this.options.workers, (job) => {
			const key = this.keys.get(job.key);
			key.credits += job.cost;
			key.stats.charged -= job.cost;
		});
		this.webhooks = new Webhooks(this.options.webhookSecret, (job) => this.outputOf(job));
		this.submission = {
			clock: this.clock,
			queue: this.queue,
			idempotency: this.idempotency,
			options: this.options,
			url: () => this.url,
		};
		this.addKey({ key: DEMO_KEYS.live, credits: 10_000 });
		this.addKey({ key: DEMO_KEYS.test });
		this.addKey({ key: DEMO_KEYS.readOnly, scopes: ['read'] });
		this.addKey({ key: DEMO_KEYS.poor, credits: 0 });
		this.addKey({ key: DEMO_KEYS.frozen, credits: 500, frozen: true });
		for (const key of init.keys ?? []) this.addKey(key);
	}

	// ---- for tests and benchmarks ---------------------------------------------------------

	/** Model-time now, in ms. */
	now(): number {
		return this.clock.now();
	}

	addKey(config: KeyConfig): void {
		this.keys.add(config);
	}

	/** Credits left on a key. */
	balance(key: string): number {
		return this.keys.get(key).credits;
	}

	stats(key: string): KeyStats {
		return this.keys.get(key).stats;
	}

	/** Adds a fault rule; rules are consumed in order. */
	inject(rule: FaultRule): void {
		this.faults.add(rule);
	}

	get webhookDeliveries(): WebhookDelivery[] {
		return this.webhooks.deliveries;
	}

	/** A job's lifecycle as the emulator sees it (model-time ms). */
	jobInfo(
		requestId: string,
	): { status: Status; createdAt: number; startedAt?: number; endAt?: number; webhookUrl?: string } | undefined {
		this.queue.advance();
		const job = this.queue.jobs.get(requestId);
		return (
			job && {
				status: job.status,
				createdAt: job.createdAt,
				startedAt: job.startedAt,
				endAt: job.endAt,
				webhookUrl: job.webhookUrl,
			}
		);
	}

	/** Finishes a running job at once with the given outcome (as the web app can cancel). */
	forceOutcome(requestId: string, outcome: Outcome): void {
		this.queue.force(requestId, outcome);
	}

	// ---- lifecycle ------------------------------------------------------------------------

	async start(port = this.init.port ?? 0, host = this.init.host ?? '127.0.0.1'): Promise<string> {
		this.server = createServer((req, res) => {
			this.handle(req, res).catch((error: unknown) => {
				if (!res.headersSent) send(res, 500, errorBody(500, 'internal_error', 'Internal error'));
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
		this.clock.stop();
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	/** Moves the queue on and sends the webhooks of jobs that just ended. */
	private tick(): void {
		this.queue.advance();
		for (const job of this.queue.jobs.values()) {
			if (job.webhookUrl && !job.webhookDone && isTerminalStatus(job.status)) {
				job.webhookDone = true;
				void this.webhooks.deliver(job);
			}
		}
	}

	// ---- the front door -------------------------------------------------------------------

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

		if (route === 'admin') return answerAdmin(this.adminView(), method, path, entry.body, res);
		if (route === 'media') return serveMedia(path, this.queue.jobs.get(path.split('/').slice(-2)[0]), res);
		if (route === 'webhook-echo') return send(res, 200, { ok: true });

		const key = this.keys.authenticate(req);
		entry.key = key?.key;
		if (!key) return send(res, 401, errorBody(401, 'invalid_api_key', 'Missing or invalid API key'));

		const fault = this.faults.take(method, path, key.key);
		if (fault?.type === 'reset') {
			req.socket.destroy();
			return;
		}
		if (fault?.type === 'status') {
			key.stats.requests++;
			return answerWithStatus(fault, res);
		}

		const admitted = this.keys.admit(key, route);
		for (const [name, value] of Object.entries(admitted.headers)) res.setHeader(name, value);
		if (admitted.refused) return send(res, admitted.refused.status, admitted.refused.body);
		// Like every keyed answer, a route Clipia does not have carries the rate-limit headers.
		if (route === 'unknown') return send(res, 404, errorBody(404, 'not_found', `No route ${method} ${path}`));

		// A slow submit is slow while "processing" (see submit), so a twin meets request_in_progress.
		if (fault?.type === 'delay' && route !== 'submit') await this.clock.sleep(fault.ms);
		if (fault?.type === 'malformed') {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end('{"request_id": "oops", "status": ');
			return;
		}

		const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
		const answer = await this.route({ route, method, path, segments, body: entry.body, raw, req, key, fault });
		if (fault?.type === 'drop') {
			req.socket.destroy();
			return;
		}
		if (answer.headers) for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
		send(res, answer.status, answer.body);
	}

	// ---- the endpoints --------------------------------------------------------------------

	private async route(request: RequestContext): Promise<Answer> {
		const { route, segments, key } = request;
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
				const input = inputOf(request.body, request.raw);
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
				return submit(this.submission, request);
			case 'status':
			case 'result': {
				this.queue.advance();
				const job = this.queue.jobs.get(segments[2]);
				if (!job || job.key !== key.key) return notFound(segments[2]);
				return route === 'status'
					? { status: 200, body: this.queue.statusBody(job) }
					: this.queue.resultAnswer(job, (done) => this.outputOf(done));
			}
			default:
				return errorAnswer(404, 'not_found', `No route ${request.method} ${request.path}`);
		}
	}

	private adminView(): AdminView {
		return {
			keys: this.keys,
			jobCount: () => this.queue.jobs.size,
			requestCount: () => this.log.length,
			pendingFaults: () => this.faults.rules.length,
			inject: (rule) => this.inject(rule),
			addKey: (config) => this.addKey(config),
		};
	}

	private outputOf(job: Job): Record<string, unknown> {
		return outputOf(job, `${this.options.mediaBaseUrl ?? this.url}/media`, this.options.videoBytes);
	}
}
