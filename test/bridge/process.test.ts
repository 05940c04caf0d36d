/**
 * The bridge as users run it: packed with `npm pack`, installed into a clean folder,
 * started as its own process, spoken to over stdio and over Streamable HTTP.
 */

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ClipiaEmulator, DEMO_KEYS } from '../../emulator/server';
import { PACKAGES } from '../../scripts/release-check';

const root = path.join(__dirname, '..', '..');
let emulator: ClipiaEmulator;
let folder: string;
let tarball: string;
let bin: string;

jest.setTimeout(180_000);

beforeAll(async () => {
	emulator = new ClipiaEmulator({ timeScale: 30, runSeconds: { image: 6, video: 30 } });
	await emulator.start();
	folder = mkdtempSync(path.join(os.tmpdir(), 'clipia-bridge-'));
	const packed = execFileSync('npm', ['pack', '--workspace', 'bridge', '--pack-destination', folder, '--silent'], {
		cwd: root,
		encoding: 'utf8',
	});
	tarball = path.join(folder, packed.trim().split('\n').pop()!);
	const app = path.join(folder, 'app');
	execFileSync('mkdir', ['-p', app]);
	writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'clean-folder', private: true }));
	execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', tarball], { cwd: app, stdio: 'inherit' });
	bin = path.join(app, 'node_modules', '.bin', 'clipia-mcp-bridge');
});
afterAll(async () => {
	await emulator.stop();
	rmSync(folder, { recursive: true, force: true });
});

const bridgeEnv = (extra: Record<string, string>) => {
	const env: Record<string, string> = {
		PATH: process.env.PATH ?? '',
		HOME: process.env.HOME ?? os.tmpdir(),
		CLIPIA_BASE_URL: emulator.url,
		...extra,
	};
	return env;
};

it('its tarball holds the compiled bridge and core, server.json, README and LICENSE, nothing else', () => {
	const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
		.trim()
		.split('\n')
		.map((file) => file.replace(/^package\//, ''));
	expect(listed.filter((file) => !PACKAGES['clipia-mcp-bridge'].ships.test(file))).toEqual([]);
	expect(listed).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'server.json']));
});

it('installs with only the SDK, axios and zod, and runs through npx from the tarball', () => {
	const installed = readdirSync(path.join(folder, 'app', 'node_modules', 'clipia-mcp-bridge', 'dist'));
	expect(installed.sort()).toEqual(['bridge', 'core']);
	const version = execFileSync('npx', ['-y', `--package=${tarball}`, 'clipia-mcp-bridge', '--version'], {
		cwd: folder,
		encoding: 'utf8',
	});
	expect(version.trim()).toBe('0.1.0');
});

it('stdio: a clear message and exit 1 without CLIPIA_API_KEY', () => {
	let stderr = '';
	let status: number | null = 0;
	try {
		execFileSync(bin, [], { env: bridgeEnv({}), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	} catch (error) {
		({ stderr, status } = error as { stderr: string; status: number });
	}
	expect(status).toBe(1);
	expect(stderr).toMatch(/CLIPIA_API_KEY is not set/);
});

it('stdio: tools/list, then generate_video → wait_generation to COMPLETED; nothing but protocol on stdout', async () => {
	const transport = new StdioClientTransport({
		command: bin,
		args: [],
		env: bridgeEnv({ CLIPIA_API_KEY: DEMO_KEYS.live }),
		stderr: 'pipe',
	});
	let stderr = '';
	transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const client = new Client({ name: 'stdio-test', version: '1.0.0' });
	await client.connect(transport);
	const { tools } = await client.listTools();
	expect(tools).toHaveLength(10);
	const submitted = (await client.callTool({ name: 'generate_video', arguments: { prompt: 'waves' } })) as {
		structuredContent: Record<string, unknown>;
	};
	const requestId = submitted.structuredContent.request_id as string;
	let status = submitted.structuredContent.status;
	for (let round = 0; round < 5 && status !== 'COMPLETED'; round++) {
		const waited = (await client.callTool({
			name: 'wait_generation',
			arguments: { request_id: requestId, wait_seconds: 20 },
		})) as {
			structuredContent: Record<string, unknown>;
		};
		status = waited.structuredContent.status;
		expect(waited.structuredContent.request_id).toBe(requestId);
	}
	expect(status).toBe('COMPLETED');
	await client.close();
	expect(stderr).not.toContain(DEMO_KEYS.live);
});

it('stdio: the client closing its end mid-wait stops the bridge within 2 s, exit 0, no request after', async () => {
	const child = spawn(bin, [], { env: bridgeEnv({ CLIPIA_API_KEY: DEMO_KEYS.live }), stdio: ['pipe', 'pipe', 'pipe'] });
	const send = (message: object) => child.stdin!.write(`${JSON.stringify(message)}\n`);
	let stdout = '';
	child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	send({
		jsonrpc: '2.0',
		id: 1,
		method: 'initialize',
		params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'eof-test', version: '1' } },
	});
	send({ jsonrpc: '2.0', method: 'notifications/initialized' });
	send({
		jsonrpc: '2.0',
		id: 2,
		method: 'tools/call',
		params: { name: 'generate_video', arguments: { prompt: 'a long video [emulator:seconds=600]' } },
	});
	const deadline = Date.now() + 20_000;
	while (!stdout.includes('"id":2') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
	const requestId = /"request_id":"([0-9a-f-]{36})"/.exec(stdout)![1];
	send({
		jsonrpc: '2.0',
		id: 3,
		method: 'tools/call',
		params: { name: 'wait_generation', arguments: { request_id: requestId, wait_seconds: 50 } },
	});
	await new Promise((r) => setTimeout(r, 1500));
	const closedAt = Date.now();
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	child.stdin!.end();
	expect(await exited).toBe(0);
	expect(Date.now() - closedAt).toBeLessThan(2000);
	const polls = emulator.log.filter((entry) => entry.path.includes(requestId)).length;
	await new Promise((r) => setTimeout(r, 1500));
	expect(emulator.log.filter((entry) => entry.path.includes(requestId)).length).toBe(polls);
});

describe('Streamable HTTP', () => {
	let child: ChildProcess;
	let url = '';
	let port = 0;

	beforeAll(async () => {
		child = spawn(bin, ['--http', '--port', '0'], { env: bridgeEnv({}), stdio: ['ignore', 'ignore', 'pipe'] });
		url = await new Promise<string>((resolve, reject) => {
			let seen = '';
			child.stderr!.on('data', (chunk: Buffer) => {
				seen += chunk.toString();
				const match = /serving Streamable HTTP at (\S+)/.exec(seen);
				if (match) resolve(match[1]);
			});
			child.once('exit', (code) => reject(new Error(`bridge exited ${code}: ${seen}`)));
		});
		port = Number(new URL(url).port);
	});

	it('serves a full round trip with the key of each request', async () => {
		const transport = new StreamableHTTPClientTransport(new URL(url), {
			requestInit: { headers: { Authorization: `Bearer ${DEMO_KEYS.live}` } },
		});
		const client = new Client({ name: 'http-test', version: '1.0.0' });
		await client.connect(transport);
		expect((await client.listTools()).tools).toHaveLength(10);
		const submitted = (await client.callTool({ name: 'generate_video', arguments: { prompt: 'rain' } })) as {
			structuredContent: Record<string, unknown>;
		};
		const waited = (await client.callTool({
			name: 'wait_generation',
			arguments: { request_id: submitted.structuredContent.request_id, wait_seconds: 30 },
		})) as { structuredContent: Record<string, unknown> };
		expect(waited.structuredContent.status).toBe('COMPLETED');
		const balance = (await client.callTool({ name: 'get_balance', arguments: {} })) as unknown as {
			structuredContent: { credits: number };
		};
		expect(balance.structuredContent.credits).toBe(emulator.balance(DEMO_KEYS.live));
		await client.close();
	});

	const initialize = JSON.stringify({
		jsonrpc: '2.0',
		id: 1,
		method: 'initialize',
		params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
	});
	const post = (headers: Record<string, string>) =>
		fetch(url, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
			body: initialize,
		});

	it('401 without a Bearer key; 403 for a foreign Host or Origin; 200 for its own', async () => {
		const missing = await post({});
		expect(missing.status).toBe(401);
		expect(missing.headers.get('www-authenticate')).toMatch(/Bearer/);
		const auth = { Authorization: `Bearer ${DEMO_KEYS.live}` };
		expect((await post({ ...auth, Origin: 'https://evil.example' })).status).toBe(403);
		expect((await post({ ...auth, Origin: `http://localhost:${port}` })).status).toBe(200);
		const foreignHost = await new Promise<number>((resolve, reject) => {
			const request = httpRequest(
				{
					host: '127.0.0.1',
					port,
					path: '/mcp',
					method: 'POST',
					headers: { Host: `evil.example:${port}`, 'Content-Type': 'application/json', ...auth },
				},
				(response) => {
					response.resume();
					resolve(response.statusCode ?? 0);
				},
			);
			request.on('error', reject);
			request.end(initialize);
		});
		expect(foreignHost).toBe(403);
	});

	it('stops cleanly on SIGTERM', async () => {
		const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
		child.kill('SIGTERM');
		expect(await exited).toBe(0);
	});
});
