/**
 * The Streamable HTTP front door (`--http`): `/mcp` only, stateless. Each request is
 * checked before the MCP layer sees it: Host and Origin must name this server (DNS
 * rebinding, browsers on other sites → 403), and it must carry its own
 * `Authorization: Bearer <clipia key>` (missing → 401).
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createClient } from './api-transport';
import type { Logger } from './log';
import { createBridgeServer, serveHttpRequest } from './sdk';
import type { MediaHandling, ToolDefinition } from './tools';

export interface HttpOptions {
	host: string;
	port: number;
	baseUrl?: string;
	tools: readonly ToolDefinition[];
	media: MediaHandling;
	log: Logger;
}

export interface RunningHttpServer {
	url: string;
	port: number;
	close(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export async function startHttpServer(options: HttpOptions): Promise<RunningHttpServer> {
	let allowedHosts = new Set<string>();
	const server: Server = createServer((request, response) => {
		handle(request, response).catch((error: unknown) => {
			options.log.error(`HTTP request failed: ${(error as Error)?.message ?? error}`);
			if (!response.headersSent) reply(response, 500, 'Internal error');
			else response.end();
		});
	});

	async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const url = new URL(request.url ?? '/', 'http://placeholder');
		if (!allowedHosts.has((request.headers.host ?? '').toLowerCase()))
			return reply(response, 403, 'Forbidden: unexpected Host header');
		const origin = request.headers.origin;
		if (origin !== undefined && !originAllowed(origin, allowedHosts))
			return reply(response, 403, 'Forbidden: unexpected Origin');
		if (url.pathname !== '/mcp') return reply(response, 404, 'Not found: the MCP endpoint is /mcp');
		if (request.method !== 'POST') {
			response.setHeader('Allow', 'POST');
			return reply(response, 405, 'Method not allowed: this stateless server takes POST only');
		}
		const key = bearerKey(request.headers.authorization);
		if (!key) {
			response.setHeader('WWW-Authenticate', 'Bearer realm="clipia"');
			return reply(response, 401, 'Unauthorized: send your Clipia API key as "Authorization: Bearer <key>"');
		}
		const body = await readJson(request);
		if (body === undefined) return reply(response, 400, 'Parse error: the body must be JSON of at most 4 MiB', -32700);
		const bridge = createBridgeServer({
			tools: options.tools,
			media: options.media,
			client: createClient(key, options.baseUrl),
		});
		await serveHttpRequest(bridge, request, response, body);
	}

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port, options.host, () => resolve());
	});
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : options.port;
	allowedHosts = hostsFor(options.host, port);
	const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
	return {
		url: `http://${shownHost}:${port}/mcp`,
		port,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

/** The Host values this server answers to: its own address, and loopback names when local. */
function hostsFor(host: string, port: number): Set<string> {
	const names = new Set<string>([host.includes(':') ? `[${host}]` : host]);
	if (['127.0.0.1', 'localhost', '::1'].includes(host)) LOOPBACK_NAMES.forEach((name) => names.add(name));
	return new Set([...names].map((name) => `${name}:${port}`.toLowerCase()));
}

function originAllowed(origin: string, hosts: Set<string>): boolean {
	try {
		const url = new URL(origin);
		return (url.protocol === 'http:' || url.protocol === 'https:') && hosts.has(url.host.toLowerCase());
	} catch {
		return false;
	}
}

function bearerKey(header: string | undefined): string | undefined {
	const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
	return match?.[1];
}

async function readJson(request: IncomingMessage): Promise<unknown> {
	const chunks: Buffer[] = [];
	let total = 0;
	for await (const chunk of request as AsyncIterable<Buffer>) {
		total += chunk.length;
		if (total > MAX_BODY_BYTES) return undefined;
		chunks.push(chunk);
	}
	try {
		return JSON.parse(Buffer.concat(chunks).toString('utf8'));
	} catch {
		return undefined;
	}
}

/** A JSON-RPC error body, as MCP clients expect from this endpoint. */
function reply(response: ServerResponse, status: number, message: string, code = -32000): void {
	response.writeHead(status, { 'Content-Type': 'application/json' });
	response.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
