/**
 * How n8n hands core its I/O: API calls through `httpRequestWithAuthentication` (the
 * credential adds the key; core never sees it), waiting through `sleep` from
 * n8n-workflow, cancellation through the execution's signal.
 */

import { sleep, type IExecuteFunctions, type IHttpRequestOptions, type ILoadOptionsFunctions } from 'n8n-workflow';
import { ClipiaClient, lowerCaseHeaders, type HttpRequest, type HttpResponse, type Runtime } from '../../core';

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

/** One client per node execution: every item's requests share its rate budget. */
export async function clientFor(context: ApiContext): Promise<ClipiaClient> {
	const credentials = await context.getCredentials<{ baseUrl?: string }>(CREDENTIAL);
	return new ClipiaClient(runtimeFor(context), { baseUrl: credentials.baseUrl });
}
