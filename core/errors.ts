/**
 * The one error type of core. Its `message` is a sentence for a person: what happened
 * and what to do next. It keeps the `request_id` whenever one exists and never contains
 * the API key.
 */

export type ClipiaErrorCode =
	| 'invalid_request'
	| 'invalid_api_key'
	| 'insufficient_credits'
	| 'subscription_required'
	| 'insufficient_scope'
	| 'not_found'
	| 'idempotency_key_reuse'
	| 'request_in_progress'
	| 'model_input_invalid'
	| 'rate_limit_exceeded'
	| 'internal_error'
	| 'service_unavailable'
	| 'network_error'
	| 'invalid_response'
	| 'validation_error'
	| 'wait_timeout'
	| 'deadline_exceeded'
	| 'generation_failed'
	| 'generation_canceled'
	| 'download_failed'
	/** The caller (an MCP client, an n8n execution) stopped the call. */
	| 'call_canceled'
	/** An error answer whose code this client does not know; Clipia's code is kept in `apiCode`. */
	| 'api_error';

const API_CODES: ReadonlySet<string> = new Set([
	'invalid_request',
	'invalid_api_key',
	'insufficient_credits',
	'subscription_required',
	'insufficient_scope',
	'not_found',
	'idempotency_key_reuse',
	'request_in_progress',
	'model_input_invalid',
	'rate_limit_exceeded',
	'internal_error',
	'service_unavailable',
]);

export interface ClipiaErrorInit {
	code: ClipiaErrorCode;
	message: string;
	status?: number;
	retryable?: boolean;
	requestId?: string;
	/** Clipia's own words, when they differ from `message`. */
	apiMessage?: string;
	/** The input field a validation error is about. */
	field?: string;
	/** For a submit whose outcome is unknown: resending with this key cannot charge twice. */
	idempotencyKey?: string;
	/** Seconds the server asked us to wait (429). */
	retryAfterSeconds?: number;
	/** Clipia's own code, when it is not one of ours. */
	apiCode?: string;
}

export class ClipiaError extends Error {
	readonly code: ClipiaErrorCode;
	readonly status?: number;
	readonly retryable: boolean;
	readonly requestId?: string;
	readonly apiMessage?: string;
	readonly field?: string;
	readonly idempotencyKey?: string;
	readonly retryAfterSeconds?: number;
	readonly apiCode?: string;

	constructor(init: ClipiaErrorInit) {
		super(redactSecrets(init.message));
		this.name = 'ClipiaError';
		this.code = init.code;
		this.status = init.status;
		this.retryable = init.retryable ?? false;
		this.requestId = init.requestId;
		this.apiMessage = init.apiMessage === undefined ? undefined : redactSecrets(init.apiMessage);
		this.field = init.field;
		this.idempotencyKey = init.idempotencyKey;
		this.retryAfterSeconds = init.retryAfterSeconds;
		this.apiCode = init.apiCode;
	}

	/** A copy that names the request it belongs to. */
	withRequestId(requestId: string): ClipiaError {
		if (this.requestId) return this;
		return new ClipiaError({ ...this.toInit(), requestId, message: appendRequestId(this.message, requestId) });
	}

	toInit(): ClipiaErrorInit {
		return {
			code: this.code,
			message: this.message,
			status: this.status,
			retryable: this.retryable,
			requestId: this.requestId,
			apiMessage: this.apiMessage,
			field: this.field,
			idempotencyKey: this.idempotencyKey,
			retryAfterSeconds: this.retryAfterSeconds,
			apiCode: this.apiCode,
		};
	}

	/** Plain JSON for results: `{ code, message }` plus what helps the reader. */
	toJSON(): { code: string; message: string; status?: number; request_id?: string } {
		return {
			code: this.code,
			message: this.message,
			...(this.status !== undefined ? { status: this.status } : {}),
			...(this.requestId ? { request_id: this.requestId } : {}),
		};
	}
}

export function validationError(field: string, message: string): ClipiaError {
	return new ClipiaError({ code: 'validation_error', field, message });
}

/** Errors after a submit name its request_id, so the job is never lost. */
export function keepRequestId(requestId: string): (error: unknown) => never {
	return (error) => {
		throw error instanceof ClipiaError ? error.withRequestId(requestId) : error;
	};
}

/**
 * A wait that ran out while the generation still runs. `howToContinue` is the surface's
 * own next step (a node to add, a tool to call).
 */
export function stillRunningError(
	result: { request_id: string; status: string; progress?: number },
	seconds: number,
	howToContinue: string,
): ClipiaError {
	const where =
		result.status === 'IN_PROGRESS' && typeof result.progress === 'number'
			? `IN_PROGRESS, ${result.progress}%`
			: result.status;
	return new ClipiaError({
		code: 'wait_timeout',
		requestId: result.request_id,
		message: `Clipia generation ${result.request_id} is still running after ${seconds} s (${where}). Nothing is lost: ${howToContinue}`,
	});
}

/** The generation finished (and was paid for) but its media could not be fetched or kept. */
export function downloadFailedError(requestId: string, problem: unknown, howToRetry: string): ClipiaError {
	const detail = redactSecrets(problem instanceof Error ? problem.message : String(problem)).slice(0, 160);
	return new ClipiaError({
		code: 'download_failed',
		requestId,
		message: `Generation ${requestId} finished, but getting its media failed (${detail}). ${howToRetry} Nothing more is charged.`,
	});
}

function appendRequestId(message: string, requestId: string): string {
	return message.includes(requestId) ? message : `${message} (request_id ${requestId})`;
}

const SECRET_PATTERNS: RegExp[] = [
	/clipia_(?:live|test)_[A-Za-z0-9_-]+/g,
	/whsec_[A-Za-z0-9_-]+/g,
	/\b(Bearer|Key)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** Removes anything shaped like a Clipia key, webhook secret or auth header value. */
export function redactSecrets(text: string): string {
	let out = text;
	for (const pattern of SECRET_PATTERNS) {
		out = out.replace(pattern, (_match: string, scheme?: string) =>
			typeof scheme === 'string' && scheme.length > 0 && /^(bearer|key)$/i.test(scheme)
				? `${scheme} [redacted]`
				: '[redacted]',
		);
	}
	return out;
}

interface ApiErrorBody {
	error?: { type?: string; code?: string; message?: string };
}

/**
 * Turns an HTTP error answer into one ClipiaError with a clear sentence.
 * `context` says what was being done, e.g. "submitting to nano-banana-2".
 */
export function errorFromResponse(
	status: number,
	body: unknown,
	context: { what: string; requestId?: string; retryAfterSeconds?: number },
): ClipiaError {
	const apiError = (body as ApiErrorBody | undefined)?.error;
	const apiCode = apiError?.code;
	const code = apiCode && API_CODES.has(apiCode) ? (apiCode as ClipiaErrorCode) : defaultCodeFor(status);
	const apiMessage = typeof apiError?.message === 'string' ? apiError.message : undefined;
	const said = apiMessage ? ` Clipia said: "${trimPeriod(apiMessage)}".` : '';
	const retryable = isRetryableStatus(status) || code === 'request_in_progress';
	let message: string;
	switch (code) {
		case 'invalid_api_key':
			message = `Clipia did not accept the API key while ${context.what} (missing, unknown or revoked). Check the key in your Clipia credentials; keys are managed at https://clipia.ai.`;
			break;
		case 'insufficient_credits':
			message = `Not enough Clipia credits for ${context.what}.${said} Top up at https://clipia.ai, then check the balance.`;
			break;
		case 'subscription_required':
			message = `Clipia needs an active subscription for ${context.what}: the account's credits are frozen until then, and topping up does not help.${said} Subscribe at https://clipia.ai, then try again.`;
			break;
		case 'insufficient_scope':
			message = `This Clipia API key is not allowed to do this (${context.what}).${said} Use a key with the "generate" scope to submit generations.`;
			break;
		case 'not_found':
			message = `Clipia found nothing while ${context.what}.${said} Check the request_id or the model slug (list the models to see valid slugs).`;
			break;
		case 'model_input_invalid':
			message = `Clipia rejected the input while ${context.what}.${said} Fix that field and try again; nothing was charged.`;
			break;
		case 'invalid_request':
			message = `Clipia rejected the request while ${context.what}.${said} Check the parameters; nothing was charged.`;
			break;
		case 'idempotency_key_reuse':
			message = `Clipia refused a repeated submission while ${context.what}: the same Idempotency-Key was already used with a different request. Submit again as a new request.`;
			break;
		case 'request_in_progress':
			message = `Clipia is still handling an identical submission while ${context.what}. Try again in a few seconds.`;
			break;
		case 'rate_limit_exceeded':
			message = `Clipia's rate limit was reached while ${context.what}${context.retryAfterSeconds !== undefined ? ` (retry after ${context.retryAfterSeconds} s)` : ''}. Wait a little, or lower the concurrency.`;
			break;
		default:
			message =
				status >= 500
					? `Clipia is temporarily unavailable (HTTP ${status}) while ${context.what}.${said} Try again in a minute.`
					: `Clipia answered HTTP ${status} while ${context.what}.${said}`;
	}
	const error = new ClipiaError({
		code,
		status,
		message,
		apiMessage,
		retryable,
		retryAfterSeconds: context.retryAfterSeconds,
		apiCode: apiCode && apiCode !== code ? apiCode : undefined,
		field: code === 'model_input_invalid' ? fieldNamedIn(apiMessage) : undefined,
	});
	return context.requestId ? error.withRequestId(context.requestId) : error;
}

export function isRetryableStatus(status: number): boolean {
	return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

function defaultCodeFor(status: number): ClipiaErrorCode {
	switch (status) {
		case 400:
			return 'invalid_request';
		case 401:
			return 'invalid_api_key';
		case 402:
			return 'insufficient_credits';
		case 403:
			return 'insufficient_scope';
		case 404:
			return 'not_found';
		case 422:
			return 'model_input_invalid';
		case 429:
			return 'rate_limit_exceeded';
		case 503:
			return 'service_unavailable';
		default:
			return status >= 500 ? 'internal_error' : 'api_error';
	}
}

function trimPeriod(text: string): string {
	return text.trim().replace(/\.$/, '');
}

/** Clipia's 422 messages start with the field name, e.g. "duration: must be one of 5, 10". */
function fieldNamedIn(message: string | undefined): string | undefined {
	const match = message?.match(/^\s*`?([a-z_][a-z0-9_]*)`?\s*[:(]/i);
	return match?.[1];
}
