/**
 * What core needs from its caller. Core never performs I/O or touches timers itself:
 * n8n hands it `httpRequestWithAuthentication` and `sleep` from n8n-workflow, the MCP
 * bridge hands it axios and Node timers, tests hand it a fake clock.
 */

export type HttpMethod = 'GET' | 'POST';

export interface HttpRequest {
	method: HttpMethod;
	/** Absolute URL. */
	url: string;
	headers: Record<string, string>;
	/** JSON-serialisable body (POST only). */
	body?: unknown;
	/** Abort the request (cancellation). */
	signal?: AbortSignal;
	/** Per-request timeout in milliseconds. */
	timeoutMs?: number;
}

export interface HttpResponse {
	status: number;
	/** Header names in lower case. */
	headers: Record<string, string | undefined>;
	/** Parsed JSON, or raw text when the body was not JSON. */
	body: unknown;
}

/** Header names in lower case, one value each (the first of a repeated header). */
export function lowerCaseHeaders(headers: Record<string, unknown> | undefined): Record<string, string | undefined> {
	const out: Record<string, string | undefined> = {};
	for (const [name, value] of Object.entries(headers ?? {})) {
		const first = Array.isArray(value) ? value[0] : value;
		out[name.toLowerCase()] = first === undefined || first === null ? undefined : String(first);
	}
	return out;
}

/**
 * Performs exactly one HTTP request. Resolves for every HTTP status (4xx/5xx included);
 * rejects only when no response arrived (network error, timeout, abort).
 * Authentication is the transport's business: core never sees the API key.
 */
export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

export interface Runtime {
	transport: Transport;
	/** Resolves after `ms` milliseconds (n8n: `sleep` from n8n-workflow). */
	sleep: (ms: number) => Promise<void>;
	/** Milliseconds since the epoch. */
	now: () => number;
	/** Uniform random number in [0, 1), for jitter. */
	random?: () => number;
	/** UUID v4 for Idempotency-Key. */
	uuid?: () => string;
}

/** Sleeps, but wakes early (rejecting with an AbortError) when the signal aborts. */
export async function sleepUnlessAborted(sleep: Runtime['sleep'], ms: number, signal?: AbortSignal): Promise<void> {
	throwIfAborted(signal);
	if (ms <= 0) return;
	return unlessAborted(sleep(ms), signal);
}

/** A promise to wait on, and what fires it (once; later calls do nothing). */
export function signalled(): { fired: Promise<void>; fire: () => void } {
	let fire!: () => void;
	const fired = new Promise<void>((resolve) => (fire = resolve));
	return { fired, fire };
}

/** Waits for `promise`, but rejects with an AbortError as soon as the signal aborts. */
export async function unlessAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
	throwIfAborted(signal);
	if (!signal) return promise;
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => reject(abortError());
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		return await Promise.race([promise, aborted]);
	} finally {
		if (onAbort) signal.removeEventListener('abort', onAbort);
	}
}

export function abortError(): Error {
	const error = new Error('The operation was canceled');
	error.name = 'AbortError';
	return error;
}

export function throwIfAborted(signal?: AbortSignal): void {
	if (signal?.aborted) throw abortError();
}

export function isAbortError(error: unknown): boolean {
	return error instanceof Error && (error.name === 'AbortError' || error.name === 'CanceledError');
}

/** A settled promise as a value: a failed attempt is data for a retry loop to judge, not an exception in flight. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
	return promise.then(
		(value) => ({ ok: true, value }),
		(error: unknown) => ({ ok: false, error }),
	);
}

/** RFC 4122 version 4 UUID from the platform's CSPRNG. */
export function defaultUuid(): string {
	return crypto.randomUUID();
}
