/** Every bridge tool, in-process (SDK InMemoryTransport), against the emulator over real HTTP. */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { apiTransport, mediaHandling, MAX_PREVIEW_BYTES, TOOLS } from '../../bridge/src';
import { ClipiaClient, mediaOrigins } from '../../core';
import { CARD_URI } from '../../bridge/src/card';
import { buildViewerHtml, VIEWER_MODULE, viewerModule } from '../../scripts/build-card';
import { DEMO_KEYS } from '../../emulator/server';
import { keyMaker, useEmulator } from '../helpers/emulator';
import { mp3Seconds } from '../helpers/mp3';
import { expectFileSnapshot } from '../helpers/snapshots';
import { connectBridge, type ToolAnswer } from './harness';

const SCALE = 20;
const emulator = useEmulator({ timeScale: SCALE, runSeconds: { image: 8, video: 40 }, videoBytes: 1024 * 1024 });
const freshKey = keyMaker(emulator, 'bridge');
const answers: ToolAnswer[] = [];

afterAll(() => {
	// No key in any result the model saw, in any test of this file.
	expect(JSON.stringify(answers)).not.toMatch(/clipia_(live|test)_/);
});

async function bridge(key: string, options: { outputDir?: string; client?: ClipiaClient } = {}) {
	const connected = await connectBridge({ key, baseUrl: emulator.url, ...options });
	const call = async (name: string, args: Record<string, unknown> = {}) => {
		const answer = await connected.call(name, args);
		answers.push(answer);
		return answer;
	};
	return { ...connected, call };
}

/** A client that gives up on 5xx/429 at once, for error cases that would otherwise be retried. */
function impatientClient(key: string): ClipiaClient {
	return new ClipiaClient(
		{ transport: apiTransport(key, emulator.url), sleep: (ms) => new Promise((r) => setTimeout(r, ms)), now: Date.now },
		{ baseUrl: emulator.url, retry: { maxRetries: 0, laterPatienceMs: 0 } },
	);
}

const text = (answer: ToolAnswer) =>
	answer.content
		.filter((block) => block.type === 'text')
		.map((block) => block.text)
		.join('\n');

describe('tools/list', () => {
	it("the server and every tool carry Clipia's icons, light and dark: the n8n nodes' own SVGs", async () => {
		const b = await bridge(freshKey());
		const svg = (icon: { src: string }) => Buffer.from(icon.src.split(',')[1], 'base64').toString();
		const expected = [
			{ theme: 'light', svg: readFileSync(path.join(__dirname, '../../icons/clipia.svg'), 'utf8').trim() },
			{ theme: 'dark', svg: readFileSync(path.join(__dirname, '../../icons/clipia.dark.svg'), 'utf8').trim() },
		];
		const server = b.client.getServerVersion() as { icons?: Array<{ src: string; theme: string; mimeType: string }> };
		expect(server.icons?.map((icon) => ({ theme: icon.theme, svg: svg(icon) }))).toEqual(expected);
		const { tools } = await b.client.listTools();
		for (const tool of tools)
			expect((tool.icons ?? []).map((icon) => ({ theme: icon.theme, svg: svg(icon) }))).toEqual(expected);
		await b.close();
	});

	it('matches the checked-in snapshot of each tool: schemas, descriptions, annotations', async () => {
		const b = await bridge(freshKey());
		const { tools } = await b.client.listTools();
		expect(tools.map((tool) => tool.name)).toEqual([
			'generate_image',
			'generate_video',
			'generate_audio',
			'wait_generation',
			'get_generation',
			'list_models',
			'get_model',
			'estimate_cost',
			'get_balance',
			'app_get_generation',
		]);
		for (const tool of tools) {
			expect(tool.title).toBeTruthy();
			expect(tool.outputSchema).toBeDefined();
			expect(tool.annotations?.openWorldHint).toBe(true);
		}
		for (const tool of tools) expectFileSnapshot(path.join(__dirname, '__toolsnaps__'), tool.name, tool);
		await b.close();
	});

	it('marks reads read-only and idempotent, generations neither', async () => {
		const b = await bridge(freshKey());
		const { tools } = await b.client.listTools();
		const hints = Object.fromEntries(
			tools.map((tool) => [tool.name, [tool.annotations?.readOnlyHint, tool.annotations?.idempotentHint]]),
		);
		expect(hints).toEqual({
			generate_image: [false, false],
			generate_video: [false, false],
			generate_audio: [false, false],
			wait_generation: [true, true],
			get_generation: [true, true],
			list_models: [true, true],
			get_model: [true, true],
			estimate_cost: [true, true],
			get_balance: [true, true],
			app_get_generation: [true, true],
		});
		await b.close();
	});

	it("offers each table's fields, in table order, then the tool's own (the tables are compared with the nodes in one-implementation.test)", () => {
		const image = TOOLS.find((tool) => tool.name === 'generate_image')!;
		const video = TOOLS.find((tool) => tool.name === 'generate_video')!;
		expect(Object.keys(image.input)).toEqual([
			'prompt',
			'model',
			'aspect_ratio',
			'resolution',
			'num_images',
			'image_urls',
			'extra_input',
			'include_preview',
			'wait_seconds',
		]);
		expect(Object.keys(video.input)).toEqual([
			'prompt',
			'image_url',
			'model',
			'duration',
			'aspect_ratio',
			'resolution',
			'generate_audio',
			'extra_input',
		]);
	});
});

describe('generate_image', () => {
	it('finishes within the call: URLs, one inline preview, JSON mirror, exact charge', async () => {
		const key = freshKey();
		const b = await bridge(key);
		const answer = await b.call('generate_image', {
			prompt: 'a red fox',
			resolution: '2k',
			num_images: 2,
			aspect_ratio: '16:9',
		});
		expect(answer.isError).toBeFalsy();
		const result = answer.structuredContent!;
		expect(result).toMatchObject({ status: 'COMPLETED', model: 'nano-banana-2', cost_credits: 12 });
		expect((result.output as { images: unknown[] }).images).toHaveLength(2);
		expect(JSON.parse(answer.content[0].text!)).toEqual(result);
		const images = answer.content.filter((block) => block.type === 'image');
		expect(images).toHaveLength(1);
		expect(images[0].mimeType).toBe('image/webp');
		expect(Buffer.from(images[0].data!, 'base64').subarray(0, 4).toString()).toBe('RIFF');
		expect(JSON.stringify(result)).not.toMatch(/"data"|base64/);
		// Each image's original as a resource link, after the preview.
		const links = answer.content.filter((block) => block.type === 'resource_link');
		const originals = (result.output as { images: Array<{ url: string; original_url?: string }> }).images;
		expect(links).toEqual(
			originals.map((image, index) => ({
				type: 'resource_link',
				uri: image.original_url ?? image.url,
				name: `clipia-${result.request_id}-${index + 1}.png`,
				mimeType: 'image/png',
			})),
		);
		expect(emulator.stats(key).charged).toBe(12);
		expect(emulator.stats(key).byRoute.submit).toBe(1);
		await b.close();
	});

	it('sends every argument to the API as the field tables say', async () => {
		const key = freshKey();
		const b = await bridge(key);
		await b.call('generate_image', {
			prompt: 'cat',
			model: 'seedream-4',
			aspect_ratio: '3:2',
			resolution: '1k',
			num_images: 1,
			image_urls: ['https://example.com/a.png'],
			include_preview: false,
			wait_seconds: 0,
		});
		const submit = emulator.log.find((entry) => entry.key === key && entry.route === 'submit')!;
		expect(submit.path).toBe('/v1/models/seedream-4');
		expect(submit.body).toEqual({
			input: {
				prompt: 'cat',
				aspect_ratio: '3:2',
				resolution: '1k',
				num_images: 1,
				image_urls: ['https://example.com/a.png'],
			},
		});
		await b.close();
	});

	it('skips the preview when include_preview is false', async () => {
		const b = await bridge(freshKey());
		const answer = await b.call('generate_image', { prompt: 'a fox', include_preview: false });
		expect(answer.structuredContent?.status).toBe('COMPLETED');
		expect(answer.content.some((block) => block.type === 'image')).toBe(false);
		await b.close();
	});

	it('returns request_id and next_step when the wait ends first', async () => {
		const b = await bridge(freshKey());
		const answer = await b.call('generate_image', { prompt: 'a fox [emulator:seconds=600]', wait_seconds: 1 });
		expect(answer.isError).toBeFalsy();
		expect(answer.structuredContent).toMatchObject({
			status: expect.stringMatching(/IN_QUEUE|IN_PROGRESS/),
			cost_credits: 4,
		});
		expect(answer.structuredContent?.request_id).toEqual(expect.any(String));
		expect(answer.structuredContent?.next_step).toMatch(/wait_generation.*request_id/);
		await b.close();
	});

	it('catches bad arguments before any request, in one sentence naming the field', async () => {
		const key = freshKey();
		const b = await bridge(key);
		const cases: Array<[Record<string, unknown>, RegExp]> = [
			[{ prompt: 'x', num_images: 5 }, /num_images must be from 1 to 4/],
			[{ prompt: '' }, /prompt cannot be empty/],
			[{ prompt: 'x', resolution: '8k' }, /resolution must be one of 1k, 2k, 4k/],
			[{ prompt: 'x', image_urls: ['http://example.com/a.png'] }, /https/],
			[
				{
					prompt: 'x',
					image_urls: [
						'https://a.test/1',
						'https://a.test/2',
						'https://a.test/3',
						'https://a.test/4',
						'https://a.test/5',
					],
				},
				/at most 4/,
			],
			[{ prompt: 'x', wait_seconds: 90 }, /wait_seconds must be from 0 to 50/],
			// Arguments a tool doesn't have are refused by name, not dropped while credits are spent.
			[
				{ prompt: 'x', seed: 42 },
				/generate_image has no argument "seed": nothing was sent and nothing was charged\. Its arguments are prompt, model, /,
			],
			[{ prompt: 'x', negative_prompt: 'blur', fps: 24 }, /no argument "negative_prompt", "fps"/],
		];
		for (const [args, message] of cases) {
			const answer = await b.call('generate_image', args);
			expect(answer.isError).toBe(true);
			expect(text(answer)).toMatch(message);
		}
		expect(emulator.stats(key).requests).toBe(0);
		const video = await b.call('generate_video', { prompt: 'x', fps: 24 });
		expect(text(video)).toMatch(/generate_video has no argument "fps"/);
		// …and told where such a field goes.
		expect(text(video)).toMatch(
			/Other model input fields \(see get_model\) go inside extra_input, e\.g\. \{"seed": 42\}/,
		);
		expect(emulator.stats(key).requests).toBe(0);
		await b.close();
	});

	it('extra_input carries any other model field, sent as given; a tiling model says so in the note', async () => {
		const key = freshKey();
		const b = await bridge(key);
		const seeded = await b.call('generate_image', { prompt: 'a fox', extra_input: { seed: 42 }, wait_seconds: 0 });
		expect(seeded.isError).toBeFalsy();
		const [submit] = emulator.log.filter((entry) => entry.key === key && entry.route === 'submit');
		expect(submit.body).toEqual({ input: { prompt: 'a fox', seed: 42 } });
		const notObject = await b.call('generate_image', { prompt: 'a fox', extra_input: '{"seed": 42}' });
		expect(notObject.isError).toBe(true);
		expect(text(notObject)).toMatch(/extra_input must be an object of model input fields/);
		const tiled = await b.call('generate_image', {
			prompt: 'four logos',
			model: 'recraft-v4',
			num_images: 4,
			include_preview: false,
		});
		expect(tiled.structuredContent).toMatchObject({
			status: 'COMPLETED',
			note: expect.stringMatching(/tiles its variants side by side in a single image/),
		});
		expect((tiled.structuredContent!.output as { images: unknown[] }).images).toHaveLength(1);
		await b.close();
	});

	it('turns a FAILED generation into an error result that keeps the whole result', async () => {
		const key = freshKey();
		const b = await bridge(key);
		const answer = await b.call('generate_image', { prompt: 'a fox [emulator:fail]' });
		expect(answer.isError).toBe(true);
		expect(answer.structuredContent).toMatchObject({ status: 'FAILED', error: { code: 'GENERATION_FAILED' } });
		expect(text(answer)).toMatch(/could not complete generation .* refunded/);
		expect(emulator.stats(key).charged).toBe(0);
		await b.close();
	});
});

describe('generate_audio', () => {
	it('speech by default: waits, returns the MP3 URL, the clip inline, a link to it, and the file when a folder is set', async () => {
		const key = freshKey();
		const outputDir = mkdtempSync(path.join(os.tmpdir(), 'clipia-audio-'));
		const b = await bridge(key, { outputDir });
		const answer = await b.call('generate_audio', { prompt: 'Welcome back to the show.', voice: 'bella' });
		expect(answer.isError).toBeFalsy();
		const result = answer.structuredContent as {
			request_id: string;
			output: { audio: { url: string; duration: number } };
			files: Array<{ path: string; mime_type: string; bytes: number }>;
		};
		expect(result).toMatchObject({ status: 'COMPLETED', model: 'elevenlabs-v3', cost_credits: 2 });
		// The voice in the model's own spelling.
		expect(emulator.log.find((entry) => entry.key === key && entry.route === 'submit')!.body).toEqual({
			input: { prompt: 'Welcome back to the show.', voice: 'Bella' },
		});
		const inline = answer.content.find((block) => block.type === 'audio') as { data: string; mimeType: string };
		expect(inline.mimeType).toBe('audio/mpeg');
		const clip = Buffer.from(inline.data, 'base64');
		expect(mp3Seconds(clip)).toBeCloseTo(result.output.audio.duration, 0);
		expect(answer.content.filter((block) => block.type === 'resource_link')).toEqual([
			{
				type: 'resource_link',
				uri: result.output.audio.url,
				name: `clipia-${result.request_id}.mp3`,
				mimeType: 'audio/mpeg',
			},
			{
				type: 'resource_link',
				uri: pathToFileURL(result.files[0].path).href,
				name: `clipia-${result.request_id}.mp3`,
				mimeType: 'audio/mpeg',
				size: clip.length,
			},
		]);
		expect(result.files).toEqual([
			{ path: expect.stringMatching(/\.mp3$/), mime_type: 'audio/mpeg', bytes: clip.length },
		]);
		expect(readFileSync(result.files[0].path).equals(clip)).toBe(true);
		await b.close();
		rmSync(outputDir, { recursive: true, force: true });
	});

	it('music by model: a long piece is linked, not inlined (past the preview limit)', async () => {
		const b = await bridge(freshKey());
		const answer = await b.call('generate_audio', {
			prompt: 'slow ambient pad',
			model: 'stable-audio-2',
			duration: 120,
		});
		expect(answer.structuredContent).toMatchObject({
			status: 'COMPLETED',
			model: 'stable-audio-2',
			output: { audio: { duration: 120 } },
		});
		expect(answer.content.some((block) => block.type === 'audio')).toBe(false);
		const [link] = answer.content.filter((block) => block.type === 'resource_link') as unknown as Array<{
			uri: string;
		}>;
		const bytes = Buffer.from(await (await fetch(link.uri)).arrayBuffer());
		expect(bytes.length).toBeGreaterThan(MAX_PREVIEW_BYTES);
		expect(mp3Seconds(bytes)).toBeCloseTo(120, 0);
		await b.close();
	});

	it('a voice on a music model, or one the model lacks, is refused before any credit is spent, naming what it takes', async () => {
		const key = freshKey();
		const b = await bridge(key);
		const music = await b.call('generate_audio', { prompt: 'rain', model: 'stable-audio-2', voice: 'Rachel' });
		expect(music.isError).toBe(true);
		expect(text(music)).toMatch(/stable-audio-2 has no "Voice" \(voice\) setting.*get_model/);
		const speech = await b.call('generate_audio', { prompt: 'hi', voice: 'Morgan' });
		expect(text(speech)).toMatch(/elevenlabs-v3 takes "Voice" \(voice\) Rachel, Adam, Bella, Josh; got "Morgan"/);
		expect(emulator.stats(key).byRoute.submit ?? 0).toBe(0);
		expect(emulator.stats(key).charged).toBe(0);
		await b.close();
	});
});

describe('generate_video and wait_generation', () => {
	it('returns at once, then waits with progress notifications to COMPLETED, saving the MP4', async () => {
		const key = freshKey();
		const outputDir = mkdtempSync(path.join(os.tmpdir(), 'clipia-out-'));
		const b = await bridge(key, { outputDir });
		const submitted = await b.call('generate_video', { prompt: 'waves at dusk', duration: 5, resolution: '720p' });
		// At once: submitted, and not looked at again.
		expect(emulator.stats(key).byRoute).toEqual({ model: 1, submit: 1 });
		expect(submitted.structuredContent).toMatchObject({ status: 'IN_QUEUE', model: 'seedance-2-fast-t2v' });
		expect(submitted.structuredContent?.next_step).toMatch(/wait_generation/);
		const requestId = submitted.structuredContent!.request_id as string;

		const progress: Array<{ progress: number; total?: number; message?: string }> = [];
		const answer = (await b.client.callTool(
			{ name: 'wait_generation', arguments: { request_id: requestId, wait_seconds: 30 } },
			undefined,
			{
				onprogress: (update) => progress.push(update),
			},
		)) as ToolAnswer;
		answers.push(answer);
		expect(answer.structuredContent).toMatchObject({ request_id: requestId, status: 'COMPLETED' });
		expect(progress.length).toBeGreaterThan(0);
		for (let i = 1; i < progress.length; i++) expect(progress[i].progress).toBeGreaterThan(progress[i - 1].progress);
		expect(progress.some((update) => /Generating/.test(update.message ?? ''))).toBe(true);

		const files = answer.structuredContent!.files as Array<{ path: string; mime_type: string; bytes: number }>;
		expect(files).toEqual([
			{ path: path.join(outputDir, `clipia-${requestId}.mp4`), mime_type: 'video/mp4', bytes: 1024 * 1024 },
		]);
		expect(statSync(files[0].path).size).toBe(1024 * 1024);
		expect(readFileSync(files[0].path).subarray(4, 8).toString()).toBe('ftyp');
		// The video's original and the saved file, each as a resource link.
		expect(answer.content.filter((block) => block.type === 'resource_link')).toEqual([
			{
				type: 'resource_link',
				uri: (answer.structuredContent!.output as { video: { url: string } }).video.url,
				name: `clipia-${requestId}.mp4`,
				mimeType: 'video/mp4',
			},
			{
				type: 'resource_link',
				uri: pathToFileURL(files[0].path).href,
				name: `clipia-${requestId}.mp4`,
				mimeType: 'video/mp4',
				size: 1024 * 1024,
			},
		]);

		// A second look at a finished generation reuses the saved file.
		const again = await b.call('get_generation', { request_id: requestId });
		expect(again.structuredContent?.files).toEqual(files);
		expect(readdirSync(outputDir)).toEqual([`clipia-${requestId}.mp4`]);
		rmSync(outputDir, { recursive: true, force: true });
		await b.close();
	});

	it('stops waiting when the client cancels; the job keeps running and stays retrievable', async () => {
		const key = freshKey();
		const b = await bridge(key);
		const submitted = await b.call('generate_video', { prompt: 'a slow one [emulator:seconds=300]' });
		const requestId = submitted.structuredContent!.request_id as string;
		const controller = new AbortController();
		const waiting = b.client.callTool(
			{ name: 'wait_generation', arguments: { request_id: requestId, wait_seconds: 50 } },
			undefined,
			{
				signal: controller.signal,
			},
		);
		await new Promise((resolve) => setTimeout(resolve, 800));
		const cancelledAt = Date.now();
		controller.abort();
		await expect(waiting).rejects.toThrow();
		const requestsAtCancel = emulator.stats(key).requests;
		await new Promise((resolve) => setTimeout(resolve, 2500));
		expect(emulator.stats(key).requests).toBe(requestsAtCancel);
		expect(Date.now() - cancelledAt).toBeLessThan(5000);
		const now = await b.call('get_generation', { request_id: requestId });
		expect(now.structuredContent).toMatchObject({
			request_id: requestId,
			status: expect.stringMatching(/IN_QUEUE|IN_PROGRESS/),
		});
		await b.close();
	});

	it('a wait that runs out answers with request_id and next_step, never an error', async () => {
		const b = await bridge(freshKey());
		const submitted = await b.call('generate_video', { prompt: 'long [emulator:seconds=600]' });
		const requestId = submitted.structuredContent!.request_id as string;
		const started = Date.now();
		const answer = await b.call('wait_generation', { request_id: requestId, wait_seconds: 2 });
		// The promise: wait_seconds + 5 s at most.
		expect(Date.now() - started).toBeLessThan(7000);
		expect(answer.isError).toBeFalsy();
		expect(answer.structuredContent).toMatchObject({ request_id: requestId });
		expect(answer.structuredContent?.next_step).toMatch(new RegExp(`wait_generation.*${requestId}`));
		await b.close();
	});

	it('sends the start image and picks the image-to-video model', async () => {
		const key = freshKey();
		const b = await bridge(key);
		const answer = await b.call('generate_video', {
			prompt: 'pan',
			image_url: 'https://example.com/start.png',
			duration: 6,
			generate_audio: true,
		});
		expect(answer.structuredContent).toMatchObject({ model: 'seedance-2-fast-i2v' });
		const submit = emulator.log.find((entry) => entry.key === key && entry.route === 'submit')!;
		expect(submit.path).toBe('/v1/models/seedance-2-fast-i2v');
		expect(submit.body).toEqual({
			input: { prompt: 'pan', image_url: 'https://example.com/start.png', duration: 6, generate_audio: true },
		});
		await b.close();
	});
});

describe('catalog tools', () => {
	it('list_models, get_model, estimate_cost, get_balance answer in structured form', async () => {
		const key = freshKey({ credits: 500 });
		const b = await bridge(key);
		const videos = await b.call('list_models', { type: 'video' });
		const models = videos.structuredContent!.models as Array<{ slug: string; type: string; credits: number }>;
		expect(models.length).toBeGreaterThan(1);
		expect(models.every((model) => model.type === 'video')).toBe(true);
		const searched = await b.call('list_models', { search: 'image-to-video' });
		expect((searched.structuredContent!.models as Array<{ slug: string }>).map((model) => model.slug)).toContain(
			'seedance-2-fast-i2v',
		);

		const model = await b.call('get_model', { model: 'nano-banana-2' });
		expect(model.structuredContent).toMatchObject({
			slug: 'nano-banana-2',
			input_schema: { prompt: { type: 'string' } },
		});

		const estimate = await b.call('estimate_cost', {
			model: 'nano-banana-2',
			input: { prompt: 'x', resolution: '2k', num_images: 2 },
		});
		expect(estimate.structuredContent).toEqual({ model: 'nano-banana-2', cost_credits: 12 });

		const balance = await b.call('get_balance');
		expect(balance.structuredContent).toMatchObject({ credits: 500, usage_30d: { credits_spent: 0 } });
		expect(emulator.stats(key).charged).toBe(0);
		await b.close();
	});
});

describe('errors as a model sees them', () => {
	async function errorOf(key: string, name: string, args: Record<string, unknown>, client?: ClipiaClient) {
		const b = await bridge(key, { client });
		const answer = await b.call(name, args);
		await b.close();
		expect(answer.isError).toBe(true);
		expect(answer.structuredContent?.error).toBeDefined();
		return {
			answer,
			said: text(answer),
			error: answer.structuredContent!.error as { code: string; request_id?: string },
		};
	}

	it('invalid_api_key (401) names CLIPIA_API_KEY', async () => {
		const { error, said } = await errorOf('clipia_live_nobody_knows_me', 'get_balance', {});
		expect(error.code).toBe('invalid_api_key');
		expect(said).toMatch(/did not accept the API key.*CLIPIA_API_KEY/s);
		expect(said).not.toContain('clipia_live_nobody_knows_me');
	});

	it('insufficient_credits (402) points at get_balance', async () => {
		const { error, said } = await errorOf(DEMO_KEYS.poor, 'generate_image', { prompt: 'x' });
		expect(error.code).toBe('insufficient_credits');
		expect(said).toMatch(/Not enough Clipia credits.*get_balance/s);
	});

	it('subscription_required (402, credits frozen) asks for a subscription, not a top-up', async () => {
		const { error, said } = await errorOf(DEMO_KEYS.frozen, 'generate_image', { prompt: 'x' });
		expect(error.code).toBe('subscription_required');
		expect(said).toMatch(/active subscription/);
		expect(said).not.toMatch(/Top up|Not enough Clipia credits/);
	});

	it('insufficient_scope (403) asks for a generate key', async () => {
		const { error, said } = await errorOf(freshKey({ scopes: ['read'] }), 'generate_video', { prompt: 'x' });
		expect(error.code).toBe('insufficient_scope');
		expect(said).toMatch(/"generate" scope/);
	});

	it('not_found (404) for an unknown model and an unknown request_id', async () => {
		const model = await errorOf(freshKey(), 'get_model', { model: 'no-such-model' });
		expect(model.error.code).toBe('not_found');
		expect(model.said).toMatch(/list_models/);
		const request = await errorOf(freshKey(), 'get_generation', { request_id: 'req-does-not-exist' });
		expect(request.error).toMatchObject({ code: 'not_found', request_id: 'req-does-not-exist' });
	});

	it("a value the chosen model can't take names what it can, before anything is submitted", async () => {
		const key = freshKey();
		const { error, said } = await errorOf(key, 'generate_video', { prompt: 'x', model: 'kling-3-pro', duration: 7 });
		expect(error.code).toBe('validation_error');
		expect(said).toMatch(/kling-3-pro takes "Duration \(Seconds\)" \(duration\) 5, 10; got 7/);
		expect(said).toMatch(/get_model/);
		expect(emulator.stats(key).byRoute.submit ?? 0).toBe(0);
		expect(emulator.stats(key).charged).toBe(0);
	});

	it('model_input_invalid (422) from estimate_cost with an input the model lacks a required field of: Clipia names it', async () => {
		const { error, said } = await errorOf(freshKey(), 'estimate_cost', {
			model: 'nano-banana-2',
			input: { resolution: '2k' },
		});
		expect(error.code).toBe('model_input_invalid');
		expect(said).toMatch(/prompt: is required for nano-banana-2/);
	});

	it('rate_limit_exceeded (429) and service_unavailable (503) when the server keeps refusing', async () => {
		const key = freshKey();
		emulator.inject({ key, path: '/v1/account', times: 5, action: { type: 'status', status: 429, retryAfter: '30' } });
		const limited = await errorOf(key, 'get_balance', {}, impatientClient(key));
		expect(limited.error.code).toBe('rate_limit_exceeded');
		expect(limited.said).toMatch(/rate limit/);
		const other = freshKey();
		emulator.inject({ key: other, path: '/v1/account', times: 5, action: { type: 'status', status: 503 } });
		const down = await errorOf(other, 'get_balance', {}, impatientClient(other));
		expect(down.said).toMatch(/temporarily unavailable.*Try again/);
	});

	it('a failure after the submit keeps the request_id (key revoked mid-wait)', async () => {
		const key = freshKey();
		emulator.inject({
			key,
			path: '/v1/requests/',
			times: 5,
			action: { type: 'status', status: 401, code: 'invalid_api_key' },
		});
		const { error, said } = await errorOf(key, 'generate_image', { prompt: 'x' });
		expect(error).toMatchObject({ code: 'invalid_api_key', request_id: expect.any(String) });
		expect(said).toContain(error.request_id);
		expect(emulator.stats(key).byRoute.submit).toBe(1);
	});
});

describe('the generation card (MCP Apps)', () => {
	it("the generation tools declare the card; app_get_generation is the card's alone (visibility app)", async () => {
		const b = await bridge(freshKey());
		const { tools } = await b.client.listTools();
		const ui = Object.fromEntries(
			tools.map((tool) => [tool.name, (tool._meta as { ui?: { resourceUri: string; visibility: string[] } })?.ui]),
		);
		for (const name of ['generate_image', 'generate_video', 'wait_generation', 'get_generation'])
			expect(ui[name]).toEqual({ resourceUri: CARD_URI, visibility: ['model', 'app'] });
		expect(ui.app_get_generation).toEqual({ resourceUri: CARD_URI, visibility: ['app'] });
		for (const name of ['list_models', 'get_model', 'estimate_cost', 'get_balance']) expect(ui[name]).toBeUndefined();
		await b.close();
	});

	it('serves one self-contained HTML card within 150 KB, whose content policy names only the media origin', async () => {
		const b = await bridge(freshKey());
		const { resources } = await b.client.listResources();
		expect(resources).toEqual([expect.objectContaining({ uri: CARD_URI, mimeType: 'text/html;profile=mcp-app' })]);
		const { contents } = await b.client.readResource({ uri: CARD_URI });
		expect(contents).toHaveLength(1);
		const [card] = contents as unknown as Array<{
			text: string;
			mimeType: string;
			_meta: { ui: { csp: Record<string, string[]> } };
		}>;
		expect(card.mimeType).toBe('text/html;profile=mcp-app');
		expect(Buffer.byteLength(card.text)).toBeLessThan(150 * 1024);
		// Nothing loaded from elsewhere: no script or stylesheet by URL, no fetch.
		expect(card.text).not.toMatch(/<script[^>]+src=|<link[^>]+href=|fetch\(|XMLHttpRequest|WebSocket/i);
		expect(card._meta.ui.csp).toEqual({ resourceDomains: [new URL(emulator.url).origin], connectDomains: [] });
		expect(mediaOrigins('https://api.clipia.ai')).toEqual(['https://media.clipia.ai']);
		await b.close();
	});

	it('app_get_generation: one look, with the prompt this server submitted and, once one ran, the expected run time', async () => {
		const b = await bridge(freshKey());
		const video = await b.call('generate_video', { prompt: 'a paper boat' });
		const id = video.structuredContent!.request_id as string;
		const look = await b.call('app_get_generation', { request_id: id });
		expect(look.structuredContent).toMatchObject({ request_id: id, prompt: 'a paper boat' });
		expect(look.structuredContent!.expected_seconds).toBeUndefined();
		expect(look.content.some((block) => block.type === 'image' || block.type === 'resource_link')).toBe(false);
		// An image waited for within its call teaches the run time of its kind; the next one is told it.
		await b.call('generate_image', { prompt: 'a paper plane' });
		const image = await b.call('generate_image', { prompt: 'a paper crane', wait_seconds: 0 });
		const next = await b.call('app_get_generation', { request_id: image.structuredContent!.request_id as string });
		expect(next.structuredContent).toMatchObject({ prompt: 'a paper crane' });
		expect(next.structuredContent!.expected_seconds).toBeGreaterThan(0);
		await b.close();
	});

	it('the card module is what `npm run card` builds from bridge/card/', async () => {
		expect(readFileSync(VIEWER_MODULE, 'utf8')).toBe(viewerModule(await buildViewerHtml()));
	});
});

describe('media rules', () => {
	let server: Server;
	let base = '';
	beforeAll(async () => {
		server = createServer((request, response) => {
			const url = new URL(request.url ?? '/', 'http://x');
			if (url.pathname === '/page.png') {
				// A page served as an image: the bytes say otherwise.
				response.writeHead(200, { 'Content-Type': 'image/png' });
				return response.end('<!doctype html><html><body>Not found</body></html>');
			}
			if (url.pathname === '/moved.png') {
				// A redirect from an allowed host to plain http elsewhere.
				response.writeHead(302, { Location: 'http://media.invalid/x.png' });
				return response.end();
			}
			const body = Buffer.alloc(Number(url.searchParams.get('bytes')), 7);
			Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(body);
			response.writeHead(200, { 'Content-Type': 'image/png' });
			return response.end(body);
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

	it('inlines a preview up to 256 KB and skips a larger one (even without Content-Length)', async () => {
		const media = mediaHandling({});
		const signal = new AbortController().signal;
		const later = Date.now() + 30_000;
		const small = await media.preview(`${base}/a.png?bytes=${MAX_PREVIEW_BYTES}`, 'image', signal, later);
		expect(small?.mimeType).toBe('image/png');
		expect(Buffer.from(small!.data, 'base64').length).toBe(MAX_PREVIEW_BYTES);
		expect(await media.preview(`${base}/b.png?bytes=${MAX_PREVIEW_BYTES + 1}`, 'image', signal, later)).toBeUndefined();
	});

	it('media must be what they claim, at every redirect hop: never a preview, never a file otherwise', async () => {
		const root = mkdtempSync(path.join(os.tmpdir(), 'clipia-claims-'));
		const media = mediaHandling({ outputDir: root });
		const signal = new AbortController().signal;
		const later = Date.now() + 30_000;
		expect(await media.preview(`${base}/page.png`, 'image', signal, later)).toBeUndefined();
		expect(await media.preview(`${base}/moved.png`, 'image', signal, later)).toBeUndefined();
		await expect(media.save!([{ kind: 'image', url: `${base}/page.png` }], 'r1', signal, later)).rejects.toThrow(
			/claims to be image\/png but its bytes are no known image, video or audio format/,
		);
		await expect(media.save!([{ kind: 'image', url: `${base}/moved.png` }], 'r2', signal, later)).rejects.toThrow(
			/Refusing to follow a redirect to a non-https URL \(http:\/\/media\.invalid\)/,
		);
		// Nothing written, not even a partial file; a real PNG still goes through.
		expect(readdirSync(root)).toEqual([]);
		expect(await media.save!([{ kind: 'image', url: `${base}/ok.png?bytes=40` }], 'r3', signal, later)).toMatchObject([
			{ mime_type: 'image/png', bytes: 40 },
		]);
		rmSync(root, { recursive: true, force: true });
	});

	it('writes files only inside the output folder, whatever the request_id says', async () => {
		const root = mkdtempSync(path.join(os.tmpdir(), 'clipia-confined-'));
		const outputDir = path.join(root, 'out');
		const media = mediaHandling({ outputDir });
		const signal = new AbortController().signal;
		const later = Date.now() + 30_000;
		const saved = await media.save!(
			[{ kind: 'image', url: `${base}/x.png?bytes=100` }],
			'../../etc/passwd',
			signal,
			later,
		);
		const again = await media.save!(
			[
				{ kind: 'image', url: `${base}/x.png?bytes=100` },
				{ kind: 'image', url: `${base}/y.png?bytes=20` },
			],
			'/abs/..\\x',
			signal,
			later,
		);
		for (const file of [...saved, ...again]) expect(path.dirname(file.path)).toBe(outputDir);
		expect(readdirSync(root)).toEqual(['out']);
		expect(readdirSync(outputDir).sort()).toEqual([
			'clipia-______etc_passwd.png',
			'clipia-_abs____x-1.png',
			'clipia-_abs____x-2.png',
		]);
		rmSync(root, { recursive: true, force: true });
	});
});
