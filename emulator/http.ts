/** The emulator's HTTP plumbing: routes, JSON answers in Clipia's error envelope, the request context. */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultAction } from './faults';
import type { KeyState } from './keys';

export interface Answer {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
}

/** Everything one API request brings, once it is authenticated. */
export interface RequestContext {
	route: Route;
	method: string;
	path: string;
	/** Path segments, decoded: ['v1', 'models', '<slug>'] … */
	segments: string[];
	/** Parsed JSON body (or its text when it was not JSON). */
	body: unknown;
	raw: Buffer;
	req: IncomingMessage;
	key: KeyState;
	fault?: FaultAction;
}

export type Route =
	| 'admin'
	| 'media'
	| 'webhook-echo'
	| 'models'
	| 'model'
	| 'estimate'
	| 'submit'
	| 'status'
	| 'result'
	| 'account'
	| 'unknown';

export function routeOf(method: string, path: string): Route {
	if (path.startsWith('/__emulator/')) return 'admin';
	if (path.startsWith('/media/')) return 'media';
	if (path === '/webhook-echo') return 'webhook-echo';
	if (method === 'GET' && path === '/v1/models') return 'models';
	if (method === 'GET' && /^\/v1\/models\/[^/]+$/.test(path)) return 'model';
	if (method === 'POST' && /^\/v1\/models\/[^/]+\/estimate$/.test(path)) return 'estimate';
	if (method === 'POST' && /^\/v1\/models\/[^/]+$/.test(path)) return 'submit';
	if (method === 'GET' && /^\/v1\/requests\/[^/]+\/status$/.test(path)) return 'status';
	if (method === 'GET' && /^\/v1\/requests\/[^/]+$/.test(path)) return 'result';
	if (method === 'GET' && path === '/v1/account') return 'account';
	return 'unknown';
}

export function header(req: IncomingMessage, name: string): string | undefined {
	const value = req.headers[name];
	return Array.isArray(value) ? value[0] : value;
}

export function errorBody(status: number, code: string, message: string) {
	const type =
		status === 401
			? 'authentication_error'
			: status === 429
				? 'rate_limit_error'
				: status >= 500
					? 'api_error'
					: 'invalid_request_error';
	return { error: { type, code, message } };
}

export function errorAnswer(status: number, code: string, message: string): Answer {
	return { status, body: errorBody(status, code, message) };
}

export function send(res: ServerResponse, status: number, body: unknown): void {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
	res.end(text);
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** The `input` object of a submit or estimate body, or the 400 message. */
export function inputOf(body: unknown, raw: Buffer): Record<string, unknown> | string {
	if (!raw.length) return 'The request body must be JSON with an "input" object';
	if (typeof body !== 'object' || body === null) return 'The request body is not valid JSON';
	const input = (body as { input?: unknown }).input;
	if (typeof input !== 'object' || input === null || Array.isArray(input))
		return 'The request body needs an "input" object';
	return input as Record<string, unknown>;
}
