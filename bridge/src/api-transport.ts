/**
 * How the bridge hands core its I/O: axios for HTTP (the API key is added here, only for
 * the API's own origin), Node timers for sleeping.
 */

import type { AxiosInstance } from 'axios';
import { createHash } from 'node:crypto';
import { axios } from './lazy-axios';
import {
	abortError,
	ClipiaClient,
	keyStates,
	lowerCaseHeaders,
	normalizeBaseUrl,
	type HttpRequest,
	type HttpResponse,
	type Runtime,
} from '../../core';

export function apiTransport(apiKey: string, baseUrl: string, http?: AxiosInstance) {
	const apiOrigin = new URL(normalizeBaseUrl(baseUrl)).origin;
	return async (request: HttpRequest): Promise<HttpResponse> => {
		const headers: Record<string, string> = { ...request.headers };
		if (new URL(request.url).origin === apiOrigin) headers.Authorization = `Bearer ${apiKey}`;
		try {
			const response = await (http ?? axios()).request({
				method: request.method,
				url: request.url,
				headers,
				data: request.body,
				timeout: request.timeoutMs,
				signal: request.signal,
				responseType: 'json',
				validateStatus: () => true,
				maxRedirects: 0,
			});
			return { status: response.status, headers: lowerCaseHeaders(response.headers), body: response.data };
		} catch (error) {
			throw plainError(error);
		}
	};
}

/** axios errors carry the request config (with its headers): keep only a safe message. */
export function plainError(error: unknown): Error {
	if ((error as { code?: string })?.code === 'ERR_CANCELED' || (error as Error)?.name === 'CanceledError')
		return abortError();
	const code = (error as { code?: string })?.code;
	const message = error instanceof Error ? error.message : String(error);
	const plain = new Error(code && !message.includes(code) ? `${code}: ${message}` : message);
	plain.name = 'NetworkError';
	return plain;
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A client for `apiKey`. Every client of one key in this process shares what is known of it
 * (request budget, generation slots, model schemas, run times; see KeyState), known by a hash
 * of base URL and key: each HTTP request may build its own client and still share.
 */
export function createClient(apiKey: string, baseUrl: string | undefined): ClipiaClient {
	const runtime: Runtime = {
		transport: apiTransport(apiKey, baseUrl ?? ''),
		sleep,
		now: () => Date.now(),
		random: Math.random,
	};
	const identity = createHash('sha256')
		.update(`${baseUrl ?? ''}\n${apiKey}`)
		.digest('hex');
	// Only the clock: the key's state must not hold on to the client that happened to create it.
	return new ClipiaClient(runtime, { baseUrl, key: keyStates.for(identity, { now: runtime.now, sleep }) });
}
