/**
 * The MCP bridge: cold start of the stdio process to its `initialize` answer (beside a bare
 * `node` process answering one line, for scale), and the overhead of a tool call over an
 * in-process MCP transport against calling core directly, interleaved in one run.
 */

import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { createBridgeServer, createClient, mediaHandling, TOOLS } from '../bridge/src';
import { getBalance } from '../core';
import { ClipiaEmulator, DEMO_KEYS } from '../emulator/server';
import { median, table } from './report';

const CLI = path.join(__dirname, '..', 'bridge', 'dist', 'bridge', 'src', 'cli.js');
const STARTS = 15;
const CALLS = 400;

const INITIALIZE =
	JSON.stringify({
		jsonrpc: '2.0',
		id: 1,
		method: 'initialize',
		params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
	}) + '\n';

/** Spawns, sends one line, resolves with the ms until the first line comes back. */
function timeToFirstAnswer(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
	return new Promise((resolve, reject) => {
		const started = performance.now();
		const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
		let out = '';
		child.stdout.on('data', (chunk: Buffer) => {
			out += chunk.toString();
			if (out.includes('\n')) {
				const elapsed = performance.now() - started;
				child.kill();
				if (!out.includes('"id":1')) reject(new Error(`unexpected answer: ${out.slice(0, 200)}`));
				resolve(elapsed);
			}
		});
		child.on('error', reject);
		child.stdin.write(INITIALIZE);
	});
}

export async function benchBridge(): Promise<boolean> {
	const env = {
		PATH: process.env.PATH,
		CLIPIA_API_KEY: 'clipia_live_bench_cold_start',
		CLIPIA_BASE_URL: 'http://127.0.0.1:9',
	};
	const bare = ['-e', "process.stdin.once('data', () => process.stdout.write('{\"id\":1}\\n'))"];
	const bridgeStarts: number[] = [];
	const bareStarts: number[] = [];
	await timeToFirstAnswer([CLI], env); // warm the file cache
	for (let i = 0; i < STARTS; i++) {
		bareStarts.push(await timeToFirstAnswer(bare, env));
		bridgeStarts.push(await timeToFirstAnswer([CLI], env));
	}
	const coldStart = median(bridgeStarts);

	const emulator = new ClipiaEmulator({ timeScale: 1 });
	await emulator.start();
	const clipia = createClient(DEMO_KEYS.live, emulator.url);
	emulator.addKey({ key: DEMO_KEYS.live, credits: 1_000, requestsPerMinute: 1_000_000 });
	const server = createBridgeServer({ tools: TOOLS, client: clipia, media: mediaHandling({}) });
	const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
	await server.connect(serverSide);
	const mcp = new Client({ name: 'bench', version: '1' });
	await mcp.connect(clientSide);
	const viaTool: number[] = [];
	const direct: number[] = [];
	for (let i = 0; i < 20; i++) {
		await mcp.callTool({ name: 'get_balance', arguments: {} });
		await getBalance({ client: clipia });
	}
	for (let i = 0; i < CALLS; i++) {
		let t = performance.now();
		await getBalance({ client: clipia });
		direct.push(performance.now() - t);
		t = performance.now();
		await mcp.callTool({ name: 'get_balance', arguments: {} });
		viaTool.push(performance.now() - t);
	}
	await mcp.close();
	await emulator.stop();
	const overhead = median(viaTool) - median(direct);

	console.log('\n## MCP bridge\n');
	console.log(
		table(
			['measure', 'bridge', 'reference', 'difference', 'target'],
			[
				[
					`cold start → initialize answer (median of ${STARTS})`,
					`${coldStart.toFixed(0)} ms`,
					`bare node: ${median(bareStarts).toFixed(0)} ms`,
					`${(coldStart / median(bareStarts)).toFixed(2)}×`,
					'≤ 250 ms',
				],
				[
					`get_balance via MCP (in-process) vs core direct (median of ${CALLS})`,
					`${median(viaTool).toFixed(2)} ms`,
					`${median(direct).toFixed(2)} ms`,
					`+${overhead.toFixed(2)} ms`,
					'≤ 2 ms',
				],
			],
		),
	);
	const met = coldStart <= 250 && overhead <= 2;
	console.log(`\nTargets: ${met ? 'met' : 'MISSED'}`);
	return met;
}
