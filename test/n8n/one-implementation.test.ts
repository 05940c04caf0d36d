/**
 * One implementation, proven: the same image, video and audio requests made through an n8n node
 * and through the MCP tool reach Clipia as identical API requests.
 */

import type { INodeProperties } from 'n8n-workflow';
import { AUDIO_FIELDS, IMAGE_FIELDS, VIDEO_FIELDS, type FieldSpec } from '../../core';
import { ClipiaEmulator, type LoggedRequest } from '../../emulator/server';
import { connectBridge } from '../bridge/harness';
import { loadNode, NODE_TYPES, runNode } from './harness';

let emulator: ClipiaEmulator;
beforeAll(async () => {
	emulator = new ClipiaEmulator({ timeScale: 20, runSeconds: { image: 4, video: 20 }, wallClockHeaders: true });
	await emulator.start();
});
afterAll(() => emulator.stop());

/** What reaches the API: method, path, body and every header but the per-request ones. */
function apiRequest(entry: LoggedRequest) {
	const headers = Object.fromEntries(
		Object.entries(entry.headers).filter(
			([name]) => !['idempotency-key', 'host', 'connection', 'content-length'].includes(name.toLowerCase()),
		),
	);
	return { method: entry.method, path: entry.path, body: entry.body, headers };
}

function submitsOf(key: string) {
	return emulator.log.filter((entry) => entry.key === key && entry.route === 'submit');
}

/** The same intent, as an n8n user and as an MCP client express it; `body` is what Clipia must receive. */
const cases = [
	{
		name: 'image, every field set',
		node: {
			type: NODE_TYPES.image,
			parameters: {
				prompt: 'a red fox',
				model: 'nano-banana-2',
				aspectRatio: '16:9',
				resolution: '2k',
				numImages: 2,
				referenceImageUrls: 'https://example.com/ref.png',
				waitForCompletion: false,
				options: { extraInput: '{"seed": 42}' },
			},
		},
		tool: {
			name: 'generate_image',
			arguments: {
				prompt: 'a red fox',
				model: 'nano-banana-2',
				aspect_ratio: '16:9',
				resolution: '2k',
				num_images: 2,
				image_urls: ['https://example.com/ref.png'],
				extra_input: { seed: 42 },
				wait_seconds: 0,
			},
		},
		path: '/v1/models/nano-banana-2',
		body: {
			input: {
				prompt: 'a red fox',
				aspect_ratio: '16:9',
				resolution: '2k',
				num_images: 2,
				image_urls: ['https://example.com/ref.png'],
				seed: 42,
			},
		},
	},
	{
		name: 'image, prompt only',
		node: { type: NODE_TYPES.image, parameters: { prompt: 'a red fox', waitForCompletion: false } },
		tool: { name: 'generate_image', arguments: { prompt: 'a red fox', wait_seconds: 0 } },
		path: '/v1/models/nano-banana-2',
		body: { input: { prompt: 'a red fox' } },
	},
	{
		name: 'image, model only',
		node: {
			type: NODE_TYPES.image,
			parameters: { prompt: 'a red fox', model: 'recraft-v4', waitForCompletion: false },
		},
		tool: { name: 'generate_image', arguments: { prompt: 'a red fox', model: 'recraft-v4', wait_seconds: 0 } },
		path: '/v1/models/recraft-v4',
		body: { input: { prompt: 'a red fox' } },
	},
	{
		name: 'video, every field set',
		node: {
			type: NODE_TYPES.video,
			parameters: {
				prompt: 'waves',
				imageUrl: 'https://example.com/start.png',
				duration: 6,
				aspectRatio: '9:16',
				resolution: '1080p',
				generateAudio: true,
			},
		},
		tool: {
			name: 'generate_video',
			arguments: {
				prompt: 'waves',
				image_url: 'https://example.com/start.png',
				duration: 6,
				aspect_ratio: '9:16',
				resolution: '1080p',
				generate_audio: true,
			},
		},
		path: '/v1/models/seedance-2-fast-i2v',
		body: {
			input: {
				prompt: 'waves',
				image_url: 'https://example.com/start.png',
				duration: 6,
				aspect_ratio: '9:16',
				resolution: '1080p',
				generate_audio: true,
			},
		},
	},
	{
		name: 'video, prompt only',
		node: { type: NODE_TYPES.video, parameters: { prompt: 'waves' } },
		tool: { name: 'generate_video', arguments: { prompt: 'waves' } },
		path: '/v1/models/seedance-2-fast-t2v',
		body: { input: { prompt: 'waves' } },
	},
	{
		name: 'speech, a voice chosen',
		node: {
			type: NODE_TYPES.audio,
			parameters: { prompt: 'Welcome back.', voice: 'Adam', waitForCompletion: false },
		},
		tool: { name: 'generate_audio', arguments: { prompt: 'Welcome back.', voice: 'Adam', wait_seconds: 0 } },
		path: '/v1/models/elevenlabs-v3',
		body: { input: { prompt: 'Welcome back.', voice: 'Adam' } },
	},
	{
		name: 'music, its length and extra input',
		node: {
			type: NODE_TYPES.audio,
			parameters: {
				prompt: 'calm lo-fi beat',
				model: 'stable-audio-2',
				duration: 45,
				waitForCompletion: false,
				options: { extraInput: '{"seed": 7}' },
			},
		},
		tool: {
			name: 'generate_audio',
			arguments: {
				prompt: 'calm lo-fi beat',
				model: 'stable-audio-2',
				duration: 45,
				extra_input: { seed: 7 },
				wait_seconds: 0,
			},
		},
		path: '/v1/models/stable-audio-2',
		body: { input: { prompt: 'calm lo-fi beat', duration: 45, seed: 7 } },
	},
	{
		name: 'video, audio explicitly off',
		node: { type: NODE_TYPES.video, parameters: { prompt: 'waves', generateAudio: false } },
		tool: { name: 'generate_video', arguments: { prompt: 'waves', generate_audio: false } },
		path: '/v1/models/seedance-2-fast-t2v',
		body: { input: { prompt: 'waves', generate_audio: false } },
	},
];

it.each(cases)('$name: the n8n node and the MCP tool send the same API request', async ({ node, tool, path, body }) => {
	const key = `clipia_live_same_${tool.name}_${Date.now()}`;
	emulator.addKey({ key, credits: 1_000 });
	const run = await runNode({ ...node, credentials: { apiKey: key, baseUrl: emulator.url } });
	expect(run.error).toBeUndefined();
	const bridge = await connectBridge({ key, baseUrl: emulator.url });
	const answer = await bridge.client.callTool(tool);
	await bridge.close();
	expect(answer.isError).toBeFalsy();

	const [fromN8n, fromMcp] = submitsOf(key);
	expect({ path: fromN8n.path, body: fromN8n.body }).toEqual({ path, body });
	expect(apiRequest(fromMcp)).toEqual(apiRequest(fromN8n));
	expect(fromN8n.headers['idempotency-key']).not.toEqual(fromMcp.headers['idempotency-key']);
	// Both answered with the same result shape.
	expect(Object.keys(answer.structuredContent as object).sort()).toEqual(Object.keys(run.items[0].json).sort());
});

describe('the field tables behind both surfaces', () => {
	it.each([
		['ClipiaGenerateImage', 'generate_image', IMAGE_FIELDS],
		['ClipiaGenerateVideo', 'generate_video', VIDEO_FIELDS],
		['ClipiaGenerateAudio', 'generate_audio', AUDIO_FIELDS],
	] as const)(
		'%s and %s offer the same fields with the same limits and choices',
		async (nodeName, toolName, fields: readonly FieldSpec[]) => {
			const description = loadNode(nodeName).description.properties;
			const options = description.find((property) => property.name === 'options')?.options as INodeProperties[];
			const bridge = await connectBridge({ key: 'clipia_live_unused_key_for_listing', baseUrl: emulator.url });
			const tool = (await bridge.client.listTools()).tools.find((candidate) => candidate.name === toolName)!;
			await bridge.close();
			const schema = tool.inputSchema.properties as Record<
				string,
				{ enum?: string[]; minimum?: number; maximum?: number; maxItems?: number; type?: string }
			>;
			for (const field of fields) {
				const property = (field.n8nOption ? options : description).find(
					(candidate) => candidate.name === field.n8nName,
				);
				expect(property).toBeDefined();
				const choices = property!.options?.map((option) => (option as { value: unknown }).value);
				const argument = schema[field.key];
				if (field.surfaces && !field.surfaces.includes('mcp')) {
					expect(argument).toBeUndefined();
					continue;
				}
				expect(argument).toBeDefined();
				// A model-dependent choice starts at "Automatic" (''), which sends nothing, as a left-out argument does.
				if (field.type === 'enum') {
					expect(argument.enum).toEqual([...field.options!]);
					expect(choices).toEqual(['', ...field.options!]);
				}
				if (field.type === 'integer') {
					expect([argument.minimum, argument.maximum]).toEqual([field.min, field.max]);
					const every = Array.from({ length: field.max! - field.min! + 1 }, (_, n) => field.min! + n);
					// A short range is offered whole; a long one (audio lengths) as common values within it.
					if (every.length <= 30) expect(choices).toEqual(['', ...every]);
					else {
						expect(choices![0]).toBe('');
						expect(every).toEqual(expect.arrayContaining(choices!.slice(1)));
					}
				}
				if (field.type === 'boolean') expect(choices).toEqual(['', true, false]);
				if (field.type === 'json') expect(argument.type).toBe('object');
				if (field.required) expect(tool.inputSchema.required).toContain(field.key);
				if (field.required) expect(property!.required).toBe(true);
				if (!field.required && field.type !== 'string')
					expect(property!.default).toEqual(field.type === 'json' ? '{}' : '');
			}
		},
	);
});
