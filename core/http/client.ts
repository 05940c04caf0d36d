/**
 * The Clipia REST client: one method per endpoint over the injected transport, with
 * retries, idempotent submits and the shared request budget.
 */

import { ClipiaError, errorFromResponse, validationError } from '../errors';
import {
	defaultUuid,
	isAbortError,
	settle,
	sleepUnlessAborted,
	throwIfAborted,
	type HttpMethod,
	type HttpResponse,
	type Runtime,
	type Settled,
} from '../runtime';
import { KeyState } from '../key-state';
import type { Booking, BudgetOptions, RequestBudget } from './budget';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, parseRetryAfterMs, type RetryPolicy } from './retry';
import type { SlotTicket } from './slots';
import { isHttpsOrLocal } from '../validate';
import {
	isTerminal,
	type AccountResponse,
	type EstimateResponse,
	type GenerationModel,
	type GenerationStatus,
	type ModelDetail,
	type RequestResponse,
	type StatusResponse,
	type SubmitResponse,
} from './wire';

export const DEFAULT_BASE_URL = 'https://api.clipia.ai';

export interface ClientOptions {
	baseUrl?: string;
	retry?: Partial<RetryPolicy>;
	/** For a client with a state of its own (no `key`): the key's limits until answers tell them. */
	budget?: BudgetOptions;
	/** What the process knows of this key, shared with every other client of it (see KeyState); else the client keeps its own. */
	key?: KeyState;
	/** Per-request timeout (default 30 s). */
	requestTimeoutMs?: number;
}

export interface CallOptions {
	signal?: AbortSignal;
	/**
	 * Epoch ms past which nothing of this call runs: no attempt starts, none outlives it (its
	 * timeout is cut to the time left), no retry or Retry-After wait reaches past it. When it
	 * comes, the call ends with the last problem it met.
	 */
	deadline?: number;
	/**
	 * Keep retrying 429 answers until this time (epoch ms) when it is later than the
	 * policy's patience: for batches, where a rate limit means "later", never "failed".
	 */
	rateLimitDeadline?: number;
}

interface RequestSpec extends CallOptions {
	method: HttpMethod;
	path: string;
	body?: unknown;
	headers?: Record<string, string>;
	/** For messages: what was being done. */
	what: string;
	requestId?: string;
	idempotencyKey?: string;
}

export interface ApiAnswer<T> {
	status: number;
	body: T;
}

/** One User-Agent for n8n and MCP alike: both surfaces make the very same requests. Its version is the package's (a test holds them equal). */
export const CORE_USER_AGENT = 'clipia-core/0.1.0';

/**
 * Accepts `https://…`, and plain http only for localhost / 127.0.0.1 (local testing),
 * like the official SDKs. Returns the URL without a trailing slash.
 */
export function normalizeBaseUrl(raw: string | undefined): string {
	const value = (raw ?? '').trim() || DEFAULT_BASE_URL;
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw validationError('baseUrl', `The Clipia base URL "${value}" is not a valid URL. Use ${DEFAULT_BASE_URL}.`);
	}
	if (!isHttpsOrLocal(url)) {
		throw validationError(
			'baseUrl',
			`The Clipia base URL must start with https:// (plain http is allowed only for localhost and 127.0.0.1), got "${value}".`,
		);
	}
	return value.replace(/\/+$/, '');
}

export class ClipiaClient {
	readonly baseUrl: string;
	readonly key: KeyState;
	private readonly policy: RetryPolicy;
	private readonly random: () => number;
	private readonly uuid: () => string;
	private readonly timeoutMs: number;

	constructor(
		readonly runtime: Runtime,
		options: ClientOptions = {},
	) {
		this.baseUrl = normalizeBaseUrl(options.baseUrl);
		this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
		this.key = options.key ?? new KeyState(runtime, options.budget);
		this.random = runtime.random ?? Math.random;
		this.uuid = runtime.uuid ?? defaultUuid;
		this.timeoutMs = options.requestTimeoutMs ?? 30_000;
	}

	/** The key's request budget (and its generation slots), shared with every client of the key. */
	get budget(): RequestBudget {
		return this.key.budget;
	}

	/** `POST /v1/models/{model}`. Every attempt of one submit carries the same Idempotency-Key. */
	async submit(
		model: string,
		input: Record<string, unknown>,
		options: CallOptions & { webhookUrl?: string; idempotencyKey?: string } = {},
	): Promise<SubmitResponse> {
		const idempotencyKey = options.idempotencyKey ?? this.uuid();
		const body: Record<string, unknown> = { input };
		if (options.webhookUrl) body.webhook_url = options.webhookUrl;
		const answer = await this.send<SubmitResponse>({
			...options,
			method: 'POST',
			path: `/v1/models/${encodeURIComponent(model)}`,
			body,
			headers: { 'Idempotency-Key': idempotencyKey },
			what: `submitting to ${model}`,
			idempotencyKey,
		});
		expectShape(answer.body, ['request_id', 'status'], `submitting to ${model}`);
		return answer.body;
	}

	/** A generation seen to end frees its place among the key's generations at once (see GenerationSlots). */
	private seen<T extends { status: GenerationStatus }>(requestId: string, answer: T): T {
		if (isTerminal(answer)) this.budget.slots.ended(requestId);
		return answer;
	}

	/** `GET /v1/requests/{id}/status`. */
	async status(requestId: string, options: CallOptions = {}): Promise<StatusResponse> {
		const answer = await this.send<StatusResponse>({
			...options,
			method: 'GET',
			path: `/v1/requests/${encodeURIComponent(requestId)}/status`,
			what: `reading the status of request ${requestId}`,
			requestId,
		});
		expectShape(answer.body, ['status'], `reading request ${requestId}`, requestId);
		return this.seen(requestId, answer.body);
	}

	/**
	 * `GET /v1/requests/{id}`: the result once terminal (200), or the lifecycle fields
	 * while running (202). One request tells both, so waiting polls this endpoint.
	 */
	async result(requestId: string, options: CallOptions = {}): Promise<RequestResponse> {
		const answer = await this.send<RequestResponse>({
			...options,
			method: 'GET',
			path: `/v1/requests/${encodeURIComponent(requestId)}`,
			what: `reading request ${requestId}`,
			requestId,
		});
		expectShape(answer.body, ['status'], `reading request ${requestId}`, requestId);
		return this.seen(requestId, { ...answer.body, request_id: answer.body.request_id ?? requestId });
	}

	/** `GET /v1/models`, generation models only (the list also carries LLM entries). */
	async listModels(options: CallOptions = {}): Promise<GenerationModel[]> {
		const answer = await this.send<{ data?: unknown[] }>({
			...options,
			method: 'GET',
			path: '/v1/models',
			what: 'listing models',
		});
		const data = Array.isArray(answer.body?.data) ? answer.body.data : [];
		return data.filter(isGenerationModel);
	}

	/** `GET /v1/models/{slug}`: the model with its input schema. */
	async getModel(slug: string, options: CallOptions = {}): Promise<ModelDetail> {
		const answer = await this.send<ModelDetail>({
			...options,
			method: 'GET',
			path: `/v1/models/${encodeURIComponent(slug)}`,
			what: `reading model ${slug}`,
		});
		expectShape(answer.body, ['slug'], `reading model ${slug}`);
		return { ...answer.body, input_schema: answer.body.input_schema ?? {} };
	}

	/** `POST /v1/models/{slug}/estimate`: credits a submit would cost; nothing is queued. */
	async estimate(slug: string, input: Record<string, unknown>, options: CallOptions = {}): Promise<EstimateResponse> {
		const answer = await this.send<EstimateResponse>({
			...options,
			method: 'POST',
			path: `/v1/models/${encodeURIComponent(slug)}/estimate`,
			body: { input },
			what: `estimating the cost on ${slug}`,
		});
		expectShape(answer.body, ['credits'], `estimating the cost on ${slug}`);
		return answer.body;
	}

	/** `GET /v1/account`: balance and 30-day usage. */
	async account(options: CallOptions = {}): Promise<AccountResponse> {
		const answer = await this.send<AccountResponse>({
			...options,
			method: 'GET',
			path: '/v1/account',
			what: 'reading the account',
		});
		expectShape(answer.body, ['balance'], 'reading the account');
		return answer.body;
	}

	/** One API call with the retry rules of the contract, all of it inside `spec.deadline`. */
	private async send<T>(spec: RequestSpec): Promise<ApiAnswer<T>> {
		const { runtime, policy } = this;
		const firstAttemptAt = runtime.now();
		const deadline = spec.deadline ?? Infinity;
		/** Waits `ms` before the next attempt, or ends the call with `problem` when that would pass the deadline. */
		let lastProblem: ClipiaError | undefined;
		const pause = async (ms: number, problem: ClipiaError): Promise<void> => {
			if (runtime.now() + ms >= deadline) throw problem;
			lastProblem = problem;
			await sleepUnlessAborted(runtime.sleep, ms, spec.signal);
		};
		let failures = 0;
		let refusedForRoom = false;
		for (;;) {
			const attempt = await this.attempt(spec, deadline, lastProblem, refusedForRoom);
			refusedForRoom = false;
			if (!attempt.ok) {
				// No answer arrived (network error, timeout, abort).
				if (isAbortError(attempt.error) || spec.signal?.aborted) throw attempt.error;
				const problem = this.networkError(attempt.error, spec, failures + 1);
				if (failures >= policy.maxRetries) throw problem;
				await pause(backoffDelayMs(failures++, policy, this.random), problem);
				continue;
			}
			const { status, headers, body } = attempt.value;

			if (status >= 200 && status < 300) {
				if (typeof body === 'object' && body !== null) return { status, body: body as T };
				// A 2xx that is not JSON: the answer was damaged on the way; asking again is safe
				// (GETs are reads, a submit is replayed by its Idempotency-Key).
				const problem = new ClipiaError({
					code: 'invalid_response',
					status,
					retryable: true,
					requestId: spec.requestId,
					idempotencyKey: spec.idempotencyKey,
					message: `Clipia sent an unreadable answer while ${spec.what}. Try again in a minute.`,
				});
				if (failures >= policy.maxRetries) throw problem;
				await pause(backoffDelayMs(failures++, policy, this.random), problem);
				continue;
			}

			const retryAfterMs = parseRetryAfterMs(headers['retry-after'], runtime.now());
			const error = errorFromResponse(status, body, {
				what: spec.what,
				requestId: spec.requestId,
				retryAfterSeconds: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
			});
			if (!error.retryable) throw error;

			const waitMs = Math.min(
				retryAfterMs ?? backoffDelayMs(Math.min(failures, 5), policy, this.random),
				policy.maxRetryAfterMs,
			);
			if (status === 429 || error.code === 'request_in_progress') {
				// "Later": wait as told, for as long as the patience (or the caller's deadline) allows.
				const patientUntil = Math.max(firstAttemptAt + policy.laterPatienceMs, spec.rateLimitDeadline ?? 0);
				if (runtime.now() + waitMs > patientUntil) throw error;
				// Too many generations: the key's slots hold the next attempt, and wake it early when one of
				// this process's own generations ends (see GenerationSlots). Too many requests pause every request.
				if (status === 429 && isConcurrencyRefusal(attempt.value)) {
					refusedForRoom = true;
					continue;
				}
				if (status === 429) this.budget.pauseUntil(runtime.now() + waitMs);
			} else {
				if (failures >= policy.maxRetries) throw error;
				failures++;
			}
			await pause(waitMs, error);
		}
	}

	/**
	 * One attempt: a submit's turn among the key's generations, a request of the key's budget,
	 * then the request itself. Whatever was acquired is given back in the `finally`, whether
	 * the attempt was answered, refused, timed out, cancelled or never sent.
	 */
	private async attempt(
		spec: RequestSpec,
		deadline: number,
		lastProblem?: ClipiaError,
		refusedForRoom = false,
	): Promise<Settled<HttpResponse>> {
		throwIfAborted(spec.signal);
		// A submit waits while the key runs all the generations it may (see GenerationSlots).
		const ticket = spec.idempotencyKey
			? await this.budget.slots.enter(spec.signal, deadline, refusedForRoom)
			: undefined;
		if (spec.idempotencyKey && !ticket) throw lastProblem ?? this.outOfTime(spec, true);
		let outcome: Settled<HttpResponse> | undefined;
		let booking: Booking | undefined;
		try {
			// The key's budget (paused by a 429 perhaps) may not allow a request before the deadline.
			booking = await this.budget.take(spec.signal, deadline);
			if (!booking) throw lastProblem ?? this.outOfTime(spec, true);
			const timeLeft = deadline - this.runtime.now();
			if (timeLeft <= 0) throw lastProblem ?? this.outOfTime(spec, false);
			ticket?.sending();
			outcome = await settle(
				this.runtime.transport({
					method: spec.method,
					url: this.baseUrl + spec.path,
					headers: {
						Accept: 'application/json',
						...(spec.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
						'User-Agent': CORE_USER_AGENT,
						...spec.headers,
					},
					body: spec.body,
					signal: spec.signal,
					timeoutMs: Math.max(1, Math.min(this.timeoutMs, timeLeft)),
				}),
			);
			return outcome;
		} finally {
			// The answer's RateLimit-* headers tell the budget the key's minute.
			booking?.done(outcome?.ok ? outcome.value.headers : undefined);
			if (ticket) tellSlots(ticket, outcome, this.runtime.now());
		}
	}

	private outOfTime(spec: RequestSpec, rateLimited: boolean): ClipiaError {
		const what = rateLimited
			? `Clipia asked to slow down (rate limit), and no request could go out in time while ${spec.what}.`
			: `Clipia did not answer in time while ${spec.what}.`;
		return new ClipiaError({
			code: rateLimited ? 'rate_limit_exceeded' : 'deadline_exceeded',
			retryable: true,
			requestId: spec.requestId,
			idempotencyKey: spec.idempotencyKey,
			message: `${what} Try again in a minute.`,
		});
	}

	private networkError(cause: unknown, spec: RequestSpec, attempts: number): ClipiaError {
		const detail = describeNetworkError(cause);
		const unknownOutcome = spec.idempotencyKey
			? ' The submission may or may not have reached Clipia; sending it again with the same Idempotency-Key cannot charge twice.'
			: '';
		return new ClipiaError({
			code: 'network_error',
			retryable: true,
			requestId: spec.requestId,
			idempotencyKey: spec.idempotencyKey,
			message: `Could not reach Clipia at ${this.baseUrl} while ${spec.what} (${detail}, ${attempts} attempts).${unknownOutcome} Check the network and the base URL.`,
		});
	}
}

/** What a submit's answer says of the key's room for generations; no answer says nothing. */
function tellSlots(ticket: SlotTicket, outcome: Settled<HttpResponse> | undefined, now: number): void {
	const answer = outcome?.ok ? outcome.value : undefined;
	if (answer && answer.status >= 200 && answer.status < 300) {
		const body = answer.body as Partial<SubmitResponse> | undefined;
		const requestId = typeof body?.request_id === 'string' ? body.request_id : undefined;
		const status = body?.status;
		ticket.accepted(requestId, !(status && isTerminal({ status })));
	} else if (answer && isConcurrencyRefusal(answer))
		ticket.refused(parseRetryAfterMs(answer.headers['retry-after'], now) ?? 1_000);
	else ticket.withdrawn();
}

function describeNetworkError(error: unknown): string {
	if (error && typeof error === 'object') {
		const { code, message } = error as { code?: unknown; message?: unknown };
		if (typeof code === 'string' && code) return code;
		if (typeof message === 'string' && message) return message.slice(0, 120);
	}
	return 'network error';
}

function expectShape(body: unknown, keys: string[], what: string, requestId?: string): void {
	const record = body as Record<string, unknown>;
	if (keys.every((key) => record?.[key] !== undefined)) return;
	throw new ClipiaError({
		code: 'invalid_response',
		requestId,
		retryable: true,
		message: `Clipia sent an unexpected answer while ${what} (missing ${keys.filter((k) => record?.[k] === undefined).join(', ')}).`,
	});
}

function isGenerationModel(entry: unknown): entry is GenerationModel {
	const model = entry as Partial<GenerationModel> | null;
	return !!model && typeof model.slug === 'string' && typeof model.type === 'string';
}

/**
 * A 429 for too many generations at once rather than too many requests: the per-minute
 * window still has room (`RateLimit-Remaining` above 0), or the message says so.
 */
function isConcurrencyRefusal(answer: HttpResponse): boolean {
	if (answer.status !== 429) return false;
	const remaining = Number(answer.headers['ratelimit-remaining']);
	if (answer.headers['ratelimit-remaining'] !== undefined && Number.isFinite(remaining)) return remaining > 0;
	const message = (answer.body as { error?: { message?: unknown } } | undefined)?.error?.message;
	return typeof message === 'string' && /concurren/i.test(message);
}
