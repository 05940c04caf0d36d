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
	Deliveries,
	lowerCaseHeaders,
	RequestBudget,
	type HttpRequest,
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
 * What every execution on a key in this process shares: the key's requests-per-minute
 * budget (scheduled batches side by side, an agent's tool calls, webhook deliveries), and
 * the webhook deliveries heard for parked batches, with the answers of generations that
 * ended, which never change. Keyed by a hash of base URL
 * and key, so no key is kept as a map key, and one key never sees another's answers.
 */
interface KeyShare {
	budget: RequestBudget;
	deliveries: Deliveries;
}

const sharesByKey = new Map<string, KeyShare>();

function shareFor(baseUrl: string | undefined, apiKey: string | undefined): KeyShare {
	const fingerprint = createHash('sha256')
		.update(`${baseUrl ?? ''}\n${apiKey ?? ''}`)
		.digest('hex');
	let share = sharesByKey.get(fingerprint);
	// Only the clock: the share must not hold on to the execution that happened to create it.
	const now = () => Date.now();
	if (!share)
		sharesByKey.set(
			fingerprint,
			(share = { budget: new RequestBudget({ now, sleep }), deliveries: new Deliveries({ now, sleep }) }),
		);
	return share;
}

/** A client for one node execution (or webhook call), and what it shares with the key's other work in this process. */
export async function keyClientFor(context: ApiContext): Promise<{ client: ClipiaClient; deliveries: Deliveries }> {
	const credentials = await context.getCredentials<{ baseUrl?: string; apiKey?: string }>(CREDENTIAL);
	const share = shareFor(credentials.baseUrl, credentials.apiKey);
	const client = new ClipiaClient(runtimeFor(context), { baseUrl: credentials.baseUrl, sharedBudget: share.budget });
	return { client, deliveries: share.deliveries };
}

/** One client per node execution; its requests, and those of every other execution on the key in this process, share one rate budget. */
export async function clientFor(context: ApiContext): Promise<ClipiaClient> {
	return (await keyClientFor(context)).client;
}
