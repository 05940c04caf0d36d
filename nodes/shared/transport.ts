/**
 * How n8n hands core its I/O: API calls through `httpRequestWithAuthentication` (the
 * credential adds the key; core never sees it), waiting through `sleep` from
 * n8n-workflow, cancellation through the execution's signal.
 */

import { createHash } from 'node:crypto';
import { sleep, type IExecuteFunctions, type IHttpRequestOptions, type ILoadOptionsFunctions } from 'n8n-workflow';
import {
	ClipiaClient,
	lowerCaseHeaders,
	RequestBudget,
	type HttpRequest,
	type HttpResponse,
	type Runtime,
} from '../../core';

export const CREDENTIAL = 'clipiaApi';

type ApiContext = IExecuteFunctions | ILoadOptionsFunctions;

interface FullResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

function authenticatedTransport(context: ApiContext) {
	return async (request: HttpRequest): Promise<HttpResponse> => {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: request.url,
			headers: request.headers,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: request.timeoutMs,
			abortSignal: request.signal,
			json: true,
		};
		if (request.body !== undefined) options.body = request.body as IHttpRequestOptions['body'];
		const response = (await context.helpers.httpRequestWithAuthentication.call(
			context,
			CREDENTIAL,
			options,
		)) as FullResponse;
		return {
			status: response.statusCode,
			headers: lowerCaseHeaders(response.headers),
			body: parseIfText(response.body),
		};
	};
}

function parseIfText(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}

export function runtimeFor(context: ApiContext): Runtime {
	return { transport: authenticatedTransport(context), sleep, now: () => Date.now(), random: Math.random };
}

/**
 * Request budgets by key, for this process: the key's requests-per-minute limit is shared
 * by every execution running here (scheduled batches side by side, an agent's tool calls),
 * not granted to each. Keyed by a hash of base URL and key, so no key is kept as a map key.
 */
const budgetsByKey = new Map<string, RequestBudget>();

function sharedBudget(baseUrl: string | undefined, apiKey: string | undefined): RequestBudget {
	const fingerprint = createHash('sha256')
		.update(`${baseUrl ?? ''}\n${apiKey ?? ''}`)
		.digest('hex');
	let budget = budgetsByKey.get(fingerprint);
	// Only the clock: the budget must not hold on to the execution that happened to create it.
	if (!budget) budgetsByKey.set(fingerprint, (budget = new RequestBudget({ now: () => Date.now(), sleep })));
	return budget;
}

/** One client per node execution; its requests, and those of every other execution on the key in this process, share one rate budget. */
export async function clientFor(context: ApiContext): Promise<ClipiaClient> {
	const credentials = await context.getCredentials<{ baseUrl?: string; apiKey?: string }>(CREDENTIAL);
	const runtime = runtimeFor(context);
	return new ClipiaClient(runtime, {
		baseUrl: credentials.baseUrl,
		sharedBudget: sharedBudget(credentials.baseUrl, credentials.apiKey),
	});
}
