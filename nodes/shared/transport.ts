/**
 * How n8n hands core its I/O: API calls through `httpRequestWithAuthentication` (the
 * credential adds the key; core never sees it), waiting through `sleep` from
 * n8n-workflow, cancellation through the execution's signal.
 */

import { createHash } from 'node:crypto';
import {
	sleep,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type IWebhookFunctions,
} from 'n8n-workflow';
import {
	ClipiaClient,
	keyStates,
	lowerCaseHeaders,
	type Deliveries,
	type HttpRequest,
	type KeyState,
	type HttpResponse,
	type Runtime,
} from '../../core';

export const CREDENTIAL = 'clipiaApi';

type ApiContext = IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions;

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
 * What the process knows of the key (see KeyState): every execution on it shares its request
 * budget (scheduled batches side by side, an agent's tool calls, webhook deliveries), model
 * schemas, run times and the webhook deliveries heard for parked batches. Known by a hash of
 * base URL and key, so no key is kept as a map key, and one key never sees another's.
 */
function keyStateFor(baseUrl: string | undefined, apiKey: string | undefined): KeyState {
	const identity = createHash('sha256')
		.update(`${baseUrl ?? ''}\n${apiKey ?? ''}`)
		.digest('hex');
	// Only the clock: the state must not hold on to the execution that happened to create it.
	return keyStates.for(identity, { now: () => Date.now(), sleep });
}

/** A client for one node execution (or webhook call), and what it shares with the key's other work in this process. */
export async function keyClientFor(context: ApiContext): Promise<{ client: ClipiaClient; deliveries: Deliveries }> {
	const credentials = await context.getCredentials<{ baseUrl?: string; apiKey?: string }>(CREDENTIAL);
	const key = keyStateFor(credentials.baseUrl, credentials.apiKey);
	const client = new ClipiaClient(runtimeFor(context), { baseUrl: credentials.baseUrl, key });
	return { client, deliveries: key.deliveries };
}

/** One client per node execution; its requests, and those of every other execution on the key in this process, share one rate budget. */
export async function clientFor(context: ApiContext): Promise<ClipiaClient> {
	return (await keyClientFor(context)).client;
}
