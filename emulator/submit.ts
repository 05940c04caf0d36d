/**
 * The emulator's submit: scope, idempotency, input, concurrency and credits checked in the
 * order Clipia checks them; then the job is queued and charged.
 */

import { randomUUID } from 'node:crypto';
import { findModel, inputProblem, priceOf, runSecondsOf } from './catalog';
import type { ModelClock } from './clock';
import { errorAnswer, header, inputOf, type Answer, type RequestContext } from './http';
import type { IdempotencyStore } from './idempotency';
import { directivesOf, type Job, type JobQueue } from './jobs';

/** What a submit works with, of the emulator's state. */
export interface Submission {
	clock: ModelClock;
	queue: JobQueue;
	idempotency: IdempotencyStore;
	options: { dispatchMs: number; reportProgress: boolean; runSeconds: Record<string, number> };
	/** The emulator's base URL, for the answer's status and result URLs. */
	url: () => string;
}

/** `POST /v1/models/{slug}`: scope, idempotency, input, concurrency, credits; then the job is queued and charged. */
export async function submit(emulator: Submission, request: RequestContext): Promise<Answer> {
	const { key, segments, body, raw, fault } = request;
	const slug = segments[2];
	if (!key.scopes.includes('generate'))
		return errorAnswer(403, 'insufficient_scope', 'This API key lacks the generate scope');
	const now = emulator.clock.now();
	const opened = emulator.idempotency.open(key.key, header(request.req, 'idempotency-key'), slug, raw, now);
	if ('answer' in opened) return opened.answer;
	const { remember } = opened;
	if (fault?.type === 'delay') await emulator.clock.sleep(fault.ms);

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

	if (!sandbox) {
		const inFlight = emulator.queue.inFlight(key.key);
		if (inFlight.length >= key.concurrency) {
			// Queued generations count against the limit either way; the policies differ in what they say.
			const running = key.refusals === 'running' ? inFlight.filter((job) => job.status === 'IN_PROGRESS') : inFlight;
			const soonest = Math.min(...running.map((job) => job.endAt ?? job.readyAt + job.runMs));
			const retryAfter = Number.isFinite(soonest) ? Math.max(1, Math.ceil((soonest - now) / 1000)) : 1;
			key.stats.rateLimited++;
			key.stats.tooManyAtOnce++;
			const message =
				key.refusals === 'running'
					? 'Rate limit exceeded'
					: `Too many concurrent generations (limit ${key.concurrency})`;
			const refused = remember(errorAnswer(429, 'rate_limit_exceeded', message));
			return { ...refused, headers: { 'Retry-After': String(emulator.clock.advertisedSeconds(retryAfter)) } };
		}
		if (key.frozen) {
			return remember(
				errorAnswer(
					402,
					'subscription_required',
					'Your credits are frozen until the account has an active subscription',
				),
			);
		}
		if (key.credits < cost) {
			return remember(
				errorAnswer(
					402,
					'insufficient_credits',
					`This generation costs ${cost} credits; the balance is ${key.credits}`,
				),
			);
		}
	}

	const directives = directivesOf(input.prompt);
	const runSeconds =
		directives.duration ??
		emulator.options.runSeconds[model.slug] ??
		emulator.options.runSeconds[model.type] ??
		runSecondsOf(model, input);
	const job: Job = {
		id: randomUUID(),
		key: key.key,
		model,
		input,
		cost,
		charged: !sandbox,
		createdAt: now,
		readyAt: now + emulator.options.dispatchMs,
		runMs: runSeconds * 1000,
		outcome: directives.outcome ?? 'COMPLETED',
		reportProgress: emulator.options.reportProgress && !directives.noProgress,
		status: sandbox ? 'COMPLETED' : 'IN_QUEUE',
		webhookUrl: typeof webhookUrl === 'string' ? webhookUrl : undefined,
		webhookDone: false,
		sandbox,
		...(sandbox ? { startedAt: now, endAt: now } : {}),
	};
	key.stats.jobs++;
	if (!sandbox) {
		key.credits -= cost;
		key.stats.charged += cost;
	}
	emulator.queue.add(job);
	return remember({
		status: 200,
		body: {
			request_id: job.id,
			status: job.status,
			queue_position: job.status === 'IN_QUEUE' ? emulator.queue.queuePosition(job) : sandbox ? 0 : null,
			status_url: `${emulator.url()}/v1/requests/${job.id}/status`,
			response_url: `${emulator.url()}/v1/requests/${job.id}`,
			// In the published OpenAPI file (the docs say there is no cancel): clients must pass over it.
			cancel_url: `${emulator.url()}/v1/requests/${job.id}/cancel`,
			cost,
		},
	});
}
