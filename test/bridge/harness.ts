/** An MCP client wired in-process to a bridge server that talks to the emulator over HTTP. */

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { createBridgeServer, createClient, mediaHandling, TOOLS } from '../../bridge/src';
import { ClipiaClient, type ClipiaClient as Core } from '../../core';

export interface ToolAnswer {
	isError?: boolean;
	structuredContent?: Record<string, unknown>;
	content: Array<{ type: string; text?: string; data?: string; mimeType?: string }>;
}

export async function connectBridge(options: { key: string; baseUrl: string; outputDir?: string; client?: Core }) {
	const server = createBridgeServer({
		tools: TOOLS,
		client: options.client ?? createClient(options.key, options.baseUrl),
		media: mediaHandling({ outputDir: options.outputDir }),
	});
	const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
	await server.connect(serverSide);
	const client = new Client({ name: 'bridge-test', version: '1.0.0' });
	await client.connect(clientSide);
	return {
		client,
		call: async (name: string, args: Record<string, unknown> = {}) =>
			(await client.callTool({ name, arguments: args })) as ToolAnswer,
		close: async () => {
			await client.close();
			await server.close();
		},
	};
}

export { ClipiaClient };
