/**
 * The one file that speaks the MCP SDK: server creation, tool registration, the stdio
 * transport and the Streamable HTTP transport. Moving to the SDK's next major line
 * touches this file alone; the tools and the HTTP front door do not import the SDK.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { z } from 'zod';
import type { ClipiaClient } from '../../core';
import { errorResult, successResult } from './results';
import { callTimes, type MediaHandling, type ToolDefinition } from './tools';
import { CARD_MIME_TYPE, CARD_URI, cardResource, cardToolMeta } from './card';
import { ICONS } from './icons';
import { BRIDGE_NAME, BRIDGE_VERSION } from './version';

export type { Transport };

export interface BridgeEnvironment {
	tools: readonly ToolDefinition[];
	client: ClipiaClient;
	media: MediaHandling;
}

const INSTRUCTIONS =
	'Clipia generates images and video. Images: generate_image (usually finishes within the call). ' +
	'Videos: generate_video returns a request_id at once; then call wait_generation with it until COMPLETED. ' +
	'Every generation spends credits: estimate_cost and get_balance tell how many, before spending. ' +
	'A request_id is never lost: wait_generation or get_generation finds the generation again.';

export interface BridgeServer {
	connect(transport: Transport): Promise<void>;
	close(): Promise<void>;
}

export function createBridgeServer(environment: BridgeEnvironment): BridgeServer {
	const server = new McpServer(
		{ name: BRIDGE_NAME, title: 'Clipia', version: BRIDGE_VERSION, websiteUrl: 'https://clipia.ai', icons: ICONS },
		{ instructions: INSTRUCTIONS },
	);
	for (const tool of environment.tools) {
		server.registerTool(
			tool.name,
			{
				title: tool.title,
				description: tool.description,
				inputSchema: strictArguments(tool.name, tool.input),
				outputSchema: tool.output,
				annotations: { title: tool.title, ...tool.annotations },
				...(tool.card ? { _meta: cardToolMeta(tool.card) } : {}),
			},
			async (args, extra) => {
				const progressToken = extra._meta?.progressToken;
				try {
					const outcome = await tool.run(args, {
						client: environment.client,
						media: environment.media,
						signal: extra.signal,
						...callTimes(Date.now(), tool.waitSeconds?.(args)),
						progress: async (update) => {
							if (progressToken === undefined) return;
							await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, ...update } });
						},
					});
					return successResult(outcome);
				} catch (error) {
					return errorResult(error);
				}
			},
		);
	}
	server.registerResource(
		'generation-card',
		CARD_URI,
		{
			title: 'Clipia generation card',
			description: 'Shows a generation as it runs and its media when done (MCP Apps).',
			mimeType: CARD_MIME_TYPE,
		},
		() => cardResource(environment.client.baseUrl),
	);
	withToolIcons(server);
	return server;
}

type ListToolsHandler = (request: unknown, extra: unknown) => Promise<{ tools: Array<Record<string, unknown>> }>;

/**
 * Tool icons (MCP 2025-11-25). The SDK's McpServer lists a tool's name, schemas, annotations and
 * _meta but not its icons, so its tools/list answer is extended here: the one place that
 * reaches into the SDK's handler table (a test asserts the icons reach a client).
 */
function withToolIcons(server: McpServer): void {
	const handlers = (server.server as unknown as { _requestHandlers: Map<string, ListToolsHandler> })._requestHandlers;
	const list = handlers.get('tools/list');
	if (!list) return;
	handlers.set('tools/list', async (request, extra) => {
		const answer = await list(request, extra);
		return { ...answer, tools: answer.tools.map((tool) => ({ ...tool, icons: ICONS })) };
	});
}

/**
 * The tool's arguments as a strict object: an argument the tool does not know is refused,
 * by name, before anything is sent (the SDK would otherwise drop it silently, and a
 * generation would be paid for without it).
 */
function strictArguments(tool: string, shape: z.ZodRawShape) {
	const known = Object.keys(shape);
	return z
		.object(shape, {
			errorMap: (issue, context) =>
				issue.code === 'unrecognized_keys'
					? {
							message:
								`${tool} has no argument ${issue.keys.map((key) => `"${key}"`).join(', ')}: nothing was sent and nothing was charged. Its arguments are ${known.join(', ')}.` +
								(known.includes('extra_input')
									? ' Other model input fields (see get_model) go inside extra_input, e.g. {"seed": 42}.'
									: ''),
						}
					: { message: context.defaultError },
		})
		.strict();
}

/**
 * Serves one server over stdin/stdout until the client goes away. The SDK's stdio transport
 * does not notice the end of its input, so the end of stdin is watched here: a client that
 * quits mid-call stops what is in flight, instead of leaving it polling into a closed pipe.
 */
export async function serveStdio(server: BridgeServer, onClose: () => void): Promise<void> {
	const transport = new StdioServerTransport();
	let closed = false;
	const close = () => {
		if (closed) return;
		closed = true;
		onClose();
	};
	transport.onclose = close;
	process.stdin.once('end', close);
	process.stdin.once('close', close);
	await server.connect(transport);
}

type HttpTransportClass = typeof StreamableHTTPServerTransport;
let httpTransportClass: HttpTransportClass | undefined;

/**
 * Answers one HTTP request with a fresh, stateless server (no session): each request
 * brings its own key, so nothing of one caller is kept for the next.
 */
export async function serveHttpRequest(
	server: BridgeServer,
	request: IncomingMessage,
	response: ServerResponse,
	body: unknown,
): Promise<void> {
	// Loaded on first use: the stdio path (the common one) never pays for it.
	type HttpModule = { StreamableHTTPServerTransport: HttpTransportClass };
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const load = () => require('@modelcontextprotocol/sdk/server/streamableHttp.js') as HttpModule;
	httpTransportClass ??= load().StreamableHTTPServerTransport;
	const transport = new httpTransportClass({ sessionIdGenerator: undefined });
	response.on('close', () => {
		void transport.close();
		void server.close();
	});
	await server.connect(transport);
	await transport.handleRequest(request, response, body);
}
