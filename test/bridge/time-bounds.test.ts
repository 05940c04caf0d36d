/**
 * The bridge keeps its time promise against a hostile Clipia and media host, on the real
 * clock: a call that waits answers within wait_seconds + 5 s, one that doesn't within 20 s,
 * always with the request_id once one exists. (Clients cut tool calls off at 60 s.)
 */

import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mediaHandling } from '../../bridge/src/media';
import { connectBridge, type ToolAnswer } from './harness';

type Mode = 'slow' | 'storm' | 'done' | 'page' | 'no-headers';
let mode: Mode = 'done';
let server: Server;
let base: string;
const sockets = new Set<Socket>();
const REQUEST_ID = '0b9f3c3e-4f6a-4a51-9d38-2d3c8a0f1e77';

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
	res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
	res.end(JSON.stringify(body));
}

beforeAll(async () => {
	server = createServer((req, res) => {
		const url = req.url ?? '';
		if (url.startsWith('/media/') && mode === 'page') {
			res.writeHead(200, { 'Content-Type': 'image/png' });
			return res.end('<!doctype html><html><body>Access denied</body></html>');
		}
		// A media host (a stalled CDN) that takes the connection and never sends its headers.
		if (url.startsWith('/media/') && mode === 'no-headers') return;
		if (url.startsWith('/media/')) {
			// A media host that sends its headers and a few bytes, then nothing more.
			res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': '100000' });
			res.write(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
			return;
		}
		if (mode === 'storm')
			return json(
				res,
				429,
				{ error: { type: 'rate_limit_error', code: 'rate_limit_exceeded', message: 'Rate limit exceeded' } },
				{ 'Retry-After': '10' },
			);
		if (req.method === 'POST') {
			return json(res, 200, {
				request_id: REQUEST_ID,
				status: 'IN_QUEUE',
				queue_position: 0,
				cost: 4,
				status_url: `${base}/s`,
				response_url: `${base}/r`,
				cancel_url: `${base}/c`,
			});
		}
		if (mode === 'slow') return; // answers after the client has long given up
		json(res, 200, {
			request_id: REQUEST_ID,
			status: 'COMPLETED',
			model: 'nano-banana-2',
			cost: 4,
			output: { images: [{ url: `${base}/media/a.png`, width: 64, height: 64 }] },
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	for (const socket of sockets) socket.destroy();
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

let calls = 0;
async function timed(name: string, args: Record<string, unknown>, options: { outputDir?: string } = {}) {
	// A key of its own per call: what one key learned in this process (a 429's pause) must not reach the next test.
	const bridge = await connectBridge({ key: `clipia_live_time_bounds_${++calls}`, baseUrl: base, ...options });
	const started = Date.now();
	const answer: ToolAnswer = await bridge.call(name, args);
	const seconds = (Date.now() - started) / 1000;
	await bridge.close();
	return { answer, seconds, text: answer.content.map((block) => block.text ?? '').join('\n') };
}

it('a result endpoint that never answers: generate_image returns within wait_seconds + 5 s with the request_id and a next step', async () => {
	mode = 'slow';
	const { answer, seconds } = await timed('generate_image', { prompt: 'a fox', wait_seconds: 3 });
	expect(seconds).toBeLessThan(8);
	expect(answer.isError).toBeFalsy();
	expect(answer.structuredContent).toMatchObject({ request_id: REQUEST_ID, status: 'IN_QUEUE', cost_credits: 4 });
	expect(String(answer.structuredContent!.next_step)).toMatch(/wait_generation/);
}, 30_000);

it('a result endpoint that never answers: wait_generation returns within wait_seconds + 5 s, naming the request_id', async () => {
	mode = 'slow';
	const { seconds, text } = await timed('wait_generation', { request_id: REQUEST_ID, wait_seconds: 3 });
	expect(seconds).toBeLessThan(8);
	expect(text).toContain(REQUEST_ID);
}, 30_000);

it('a 429 storm (Retry-After: 10): generate_video gives up within 20 s, nothing submitted; wait_generation within wait_seconds + 5 s', async () => {
	mode = 'storm';
	const video = await timed('generate_video', { prompt: 'a fox' });
	expect(video.seconds).toBeLessThan(21);
	expect(video.answer.isError).toBe(true);
	expect(video.text).toMatch(/rate limit/i);
	const wait = await timed('wait_generation', { request_id: REQUEST_ID, wait_seconds: 4 });
	expect(wait.seconds).toBeLessThan(9);
	expect(wait.text).toContain(REQUEST_ID);
}, 60_000);

it.each([
	['stalls mid-file', 'done'],
	['never sends its headers', 'no-headers'],
] as const)(
	'a media host that %s (CLIPIA_OUTPUT_DIR set): the answer comes in time with the URLs, no file, and how to save them',
	async (_, hostMode) => {
		mode = hostMode;
		const outputDir = mkdtempSync(path.join(os.tmpdir(), 'clipia-stall-'));
		try {
			const { answer, seconds } = await timed('generate_image', { prompt: 'a fox', wait_seconds: 3 }, { outputDir });
			expect(seconds).toBeLessThan(8);
			expect(answer.isError).toBeFalsy();
			expect(answer.structuredContent).toMatchObject({ request_id: REQUEST_ID, status: 'COMPLETED' });
			expect(answer.structuredContent!.files).toBeUndefined();
			expect(String(answer.structuredContent!.next_step)).toMatch(/get_generation/);
			expect(answer.content.some((block) => block.type === 'image')).toBe(false);
			expect(readdirSync(outputDir)).toEqual([]);
		} finally {
			rmSync(outputDir, { recursive: true, force: true });
		}
	},
	30_000,
);

it('a media host that never sends its headers: the save gives up at its time limit, even after a garbage collection', async () => {
	mode = 'no-headers';
	// On Node 20 an AbortSignal.timeout inside AbortSignal.any is lost to a collection: the limit must not be.
	setFlagsFromString('--expose_gc');
	const gc = runInNewContext('gc') as () => void;
	const outputDir = mkdtempSync(path.join(os.tmpdir(), 'clipia-gc-'));
	try {
		const started = Date.now();
		const saving = mediaHandling({ outputDir }).save!(
			[{ kind: 'image', url: `${base}/media/a.png` }],
			REQUEST_ID,
			new AbortController().signal,
			started + 1_500,
		);
		const collect = setInterval(gc, 200);
		const outcome = await saving.then(
			() => 'saved',
			(error: Error) => error.name,
		);
		clearInterval(collect);
		expect(outcome).not.toBe('saved');
		expect(Date.now() - started).toBeLessThan(4_000);
		expect(readdirSync(outputDir)).toEqual([]);
	} finally {
		rmSync(outputDir, { recursive: true, force: true });
	}
}, 30_000);

it('HTML served as image/png: no preview, no file; with CLIPIA_OUTPUT_DIR a clear error naming the request_id', async () => {
	mode = 'page';
	const plain = await timed('generate_image', { prompt: 'a fox', wait_seconds: 3 });
	expect(plain.answer.isError).toBeFalsy();
	expect(plain.answer.content.some((block) => block.type === 'image')).toBe(false);
	const outputDir = mkdtempSync(path.join(os.tmpdir(), 'clipia-page-'));
	try {
		const saved = await timed('generate_image', { prompt: 'a fox', wait_seconds: 3 }, { outputDir });
		expect(saved.answer.isError).toBe(true);
		expect(saved.text).toContain(REQUEST_ID);
		expect(saved.text).toMatch(/claims to be image\/png but its bytes are no known image/);
		expect(readdirSync(outputDir)).toEqual([]);
	} finally {
		rmSync(outputDir, { recursive: true, force: true });
	}
}, 30_000);
