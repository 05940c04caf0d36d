/** Clipia Generate Audio inside n8n-core's engine, against the emulator over HTTP: speech and music, files and URLs. */

import { readFileSync } from 'node:fs';
import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { keyMaker, useEmulator } from '../helpers/emulator';
import { mp3Seconds } from '../helpers/mp3';
import { binaryPath, loadNode, NODE_TYPES, runNode } from './harness';

const emulator = useEmulator({ timeScale: 20, runSeconds: { audio: 10 }, wallClockHeaders: true });
const freshKey = keyMaker(emulator, 'audio-node', { credits: 5_000 });
const credentials = (apiKey: string) => ({ apiKey, baseUrl: emulator.url });
const submits = (key: string) => emulator.log.filter((entry) => entry.key === key && entry.route === 'submit');

it('speech: the prompt read aloud by the default speech model, output as a playable MP3 binary', async () => {
	const key = freshKey();
	const run = await runNode({
		type: NODE_TYPES.audio,
		credentials: credentials(key),
		input: [
			{ json: { line: 'Welcome back. Here is what is new this week.' } },
			{ json: { line: 'Thanks for listening!' } },
		],
		parameters: { prompt: '={{ $json.line }}', voice: 'Adam', output: 'binary' },
	});
	expect(run.error).toBeUndefined();
	expect(submits(key).map((submit) => [submit.path, submit.body])).toEqual([
		['/v1/models/elevenlabs-v3', { input: { prompt: 'Welcome back. Here is what is new this week.', voice: 'Adam' } }],
		['/v1/models/elevenlabs-v3', { input: { prompt: 'Thanks for listening!', voice: 'Adam' } }],
	]);
	expect(run.items).toHaveLength(2);
	for (const [index, item] of run.items.entries()) {
		expect(item.pairedItem).toEqual({ item: index });
		expect(item.json).toMatchObject({
			status: 'COMPLETED',
			model: 'elevenlabs-v3',
			output: { audio: { url: expect.any(String) } },
		});
		const binary = item.binary!.data;
		expect(binary).toMatchObject({
			mimeType: 'audio/mpeg',
			fileExtension: 'mp3',
			fileName: `clipia-${item.json.request_id}.mp3`,
		});
		const seconds = mp3Seconds(readFileSync(binaryPath(binary.id!)));
		const reported = (item.json.output as { audio: { duration: number } }).audio.duration;
		expect(seconds).toBeGreaterThan(0.5);
		expect(Math.abs(seconds - reported)).toBeLessThan(reported * 0.1 + 0.1);
	}
	expect(emulator.stats(key).charged).toBe(4);
});

it('music: the music model makes the length asked; URLs output; a voice on it is refused with nothing spent', async () => {
	const key = freshKey();
	const run = await runNode({
		type: NODE_TYPES.audio,
		credentials: credentials(key),
		parameters: { prompt: 'calm lo-fi beat with soft piano', model: 'stable-audio-2', duration: 20, output: 'urls' },
	});
	expect(run.error).toBeUndefined();
	expect(submits(key)[0].body).toEqual({ input: { prompt: 'calm lo-fi beat with soft piano', duration: 20 } });
	const [item] = run.items;
	expect(item.binary).toBeUndefined();
	const audio = (item.json.output as { audio: { url: string; duration: number } }).audio;
	expect(audio.duration).toBe(20);
	const response = await fetch(audio.url);
	expect(response.headers.get('content-type')).toBe('audio/mpeg');
	expect(mp3Seconds(Buffer.from(await response.arrayBuffer()))).toBeCloseTo(20, 0);
	expect(emulator.stats(key).charged).toBe(2);

	const refused = await runNode({
		type: NODE_TYPES.audio,
		credentials: credentials(key),
		parameters: { prompt: 'rain on a tin roof', model: 'stable-audio-2', voice: 'Rachel' },
	});
	expect(refused.error?.message).toMatch(/stable-audio-2 has no "Voice" \(voice\) setting/);
	expect(submits(key)).toHaveLength(1);
	expect(emulator.stats(key).charged).toBe(2);
});

it("the Voice list is the chosen model's own; a model without voices says so", async () => {
	const key = freshKey();
	const node = loadNode('ClipiaGenerateAudio');
	const context = (model: string) =>
		({
			getCurrentNodeParameter: (name: string) => (name === 'model' ? model : undefined),
			getCredentials: async () => credentials(key),
			helpers: {
				async httpRequestWithAuthentication(
					_credential: string,
					options: { method: string; url: string; headers?: Record<string, string> },
				) {
					const response = await fetch(options.url, {
						method: options.method,
						headers: { ...options.headers, Authorization: `Bearer ${key}` },
					});
					const headers: Record<string, string> = {};
					response.headers.forEach((value, name) => (headers[name] = value));
					return { statusCode: response.status, headers, body: await response.json() };
				},
			},
		}) as unknown as ILoadOptionsFunctions;
	const voices = (model: string) =>
		node.methods!.loadOptions!.getVoices.call(context(model)) as Promise<INodePropertyOptions[]>;
	const speech = await voices('elevenlabs-v3');
	expect(speech.map((option) => option.value)).toEqual(['', 'Rachel', 'Adam', 'Bella', 'Josh']);
	expect(speech[0].description).toMatch(/model's own default applies \(Rachel\)/);
	expect((await voices('minimax-speech-2')).map((option) => option.value)).toContain('Calm_Woman');
	const music = await voices('stable-audio-2');
	expect(music).toEqual([{ name: 'Automatic', value: '', description: 'Not sent (stable-audio-2 takes no voice)' }]);
	const models = (await node.methods!.loadOptions!.getAudioModels.call(context(''))) as INodePropertyOptions[];
	// Speech first (the default), each with what it can do and its price.
	expect(models[0]).toMatchObject({
		value: 'elevenlabs-v3',
		description: expect.stringMatching(/text-to-speech · from \d+ credits/),
	});
	expect(models.map((option) => option.value)).toEqual(
		expect.arrayContaining(['elevenlabs-v3', 'minimax-speech-2', 'stable-audio-2', 'lyria-2']),
	);
	expect(emulator.stats(key).charged).toBe(0);
});
