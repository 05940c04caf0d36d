/**
 * Audio through core on a fake clock: the model decides speech or music, fields are fitted
 * to the model's schema before any credit is spent, the wait and the result are the other
 * generations' own, and speech is priced by its words.
 */

import {
	ClipiaClient,
	ClipiaError,
	DEFAULT_MUSIC_MODEL,
	DEFAULT_SPEECH_MODEL,
	generateAudio,
	mediaOf,
	prepareAudio,
	priceGenerations,
	type HttpRequest,
} from '../../core';
import { FakeClock, json, nextStep, scriptedRuntime } from '../helpers/runtime';

const SCHEMAS: Record<string, Record<string, unknown>> = {
	[DEFAULT_SPEECH_MODEL]: {
		prompt: { type: 'string', required: true },
		voice: { type: 'string', enum: ['Rachel', 'Adam'], default: 'Rachel' },
		speed: { type: 'number', minimum: 0.7, maximum: 1.2, default: 1 },
	},
	[DEFAULT_MUSIC_MODEL]: {
		prompt: { type: 'string', required: true },
		duration: { type: 'integer', minimum: 1, maximum: 180, default: 30 },
	},
};

/** An API whose audio jobs run `runMs`; estimates price speech by its characters, music by its length. */
function audioApi(runMs: number) {
	const clock = new FakeClock();
	const submitted = new Map<string, { at: number; model: string; input: Record<string, unknown> }>();
	const { runtime, requests } = scriptedRuntime((request: HttpRequest) => {
		const path = new URL(request.url).pathname;
		const model = path.split('/')[3];
		const body = request.body ? (request.body as { input: Record<string, unknown> }) : undefined;
		if (request.method === 'GET' && path.startsWith('/v1/models/'))
			return json(200, { slug: model, type: 'audio', input_schema: SCHEMAS[model] });
		if (request.method === 'POST' && path.endsWith('/estimate'))
			return json(200, {
				credits:
					model === DEFAULT_SPEECH_MODEL
						? 2 * Math.ceil(String(body!.input.prompt).length / 1000)
						: Math.ceil(Number(body!.input.duration ?? 30) / 10),
			});
		if (request.method === 'POST') {
			const id = `req-${submitted.size + 1}`;
			submitted.set(id, { at: clock.time, model, input: body!.input });
			return json(200, { request_id: id, status: 'IN_QUEUE', queue_position: 0, cost: 3 });
		}
		const id = path.split('/').pop()!;
		const job = submitted.get(id)!;
		if (clock.time - job.at < runMs) return json(202, { request_id: id, status: 'IN_PROGRESS' });
		return json(200, {
			request_id: id,
			status: 'COMPLETED',
			model: job.model,
			cost: 3,
			output: { audio: { url: `https://media.clipia.ai/${id}/audio.mp3`, duration: 12 } },
		});
	}, clock);
	const client = new ClipiaClient(runtime);
	const sent = () =>
		requests
			.filter((request) => request.method === 'POST' && !request.url.endsWith('/estimate'))
			.map((request) => ({
				model: new URL(request.url).pathname.split('/')[3],
				input: (request.body as { input: Record<string, unknown> }).input,
			}));
	return { clock, client, requests, sent };
}

describe('generate audio', () => {
	it('reads the prompt aloud with the speech model when no model is named, and waits for the MP3', async () => {
		const { client, sent, clock } = audioApi(6_000);
		const started = clock.time;
		const result = await generateAudio({ client, nextStep }, { prompt: 'Welcome back.' }, { waitSeconds: 60 });
		expect(result).toMatchObject({ status: 'COMPLETED', model: DEFAULT_SPEECH_MODEL, request_id: 'req-1' });
		expect(mediaOf(result.output)).toEqual([
			{
				kind: 'audio',
				url: 'https://media.clipia.ai/req-1/audio.mp3',
				displayUrl: 'https://media.clipia.ai/req-1/audio.mp3',
			},
		]);
		// Only what was chosen is sent: the model's own voice and speed apply.
		expect(sent()).toEqual([{ model: DEFAULT_SPEECH_MODEL, input: { prompt: 'Welcome back.' } }]);
		expect(clock.time - started).toBeLessThan(6_000 + 3_500);
	});

	it('makes music with the music model, its length as asked; a voice there is refused before anything is sent', async () => {
		const { client, sent, requests } = audioApi(20_000);
		const music = await generateAudio(
			{ client, nextStep },
			{ prompt: 'calm lo-fi beat', model: DEFAULT_MUSIC_MODEL, duration: 45 },
			{ waitSeconds: 0 },
		);
		expect(music).toMatchObject({
			status: 'IN_QUEUE',
			request_id: 'req-1',
			next_step: expect.stringContaining('req-1'),
		});
		expect(sent()).toEqual([{ model: DEFAULT_MUSIC_MODEL, input: { prompt: 'calm lo-fi beat', duration: 45 } }]);
		const before = requests.length;
		const refused = generateAudio(
			{ client, nextStep },
			{ prompt: 'calm lo-fi beat', model: DEFAULT_MUSIC_MODEL, voice: 'Rachel' },
			{ waitSeconds: 0 },
		);
		await expect(refused).rejects.toMatchObject({
			code: 'validation_error',
			field: 'voice',
			message: expect.stringMatching(/stable-audio-2 has no "Voice" \(voice\) setting.*takes prompt, duration/),
		});
		// The schema was already known: nothing at all went out for the refused one.
		expect(requests.length).toBe(before);
	});

	it("fits a voice to the model's own spelling, and names the voices it takes when it has no such voice", async () => {
		const { client, sent } = audioApi(1_000);
		await generateAudio({ client, nextStep }, { prompt: 'Hi', voice: 'adam' }, { waitSeconds: 0 });
		expect(sent()[0].input).toEqual({ prompt: 'Hi', voice: 'Adam' });
		await expect(
			generateAudio({ client, nextStep }, { prompt: 'Hi', voice: 'Morgan' }, { waitSeconds: 0 }),
		).rejects.toMatchObject({
			field: 'voice',
			message: expect.stringMatching(/takes "Voice" \(voice\) Rachel, Adam; got "Morgan"/),
		});
		expect(sent()).toHaveLength(1);
	});

	it('checks its own fields first: an empty prompt, a length out of range', () => {
		expect(() => prepareAudio({ prompt: ' ' })).toThrow(ClipiaError);
		expect(() => prepareAudio({ prompt: 'x', duration: 0 })).toThrow(/from 1 to 300; got 0/);
		expect(
			prepareAudio({ prompt: 'x', model: DEFAULT_MUSIC_MODEL, duration: '30' as unknown as number }),
		).toMatchObject({
			model: DEFAULT_MUSIC_MODEL,
			input: { prompt: 'x', duration: 30 },
		});
	});

	it('prices each audio prompt by itself: speech is priced by its words, so no estimate is shared between prompts', async () => {
		const { client, requests } = audioApi(1_000);
		const long = 'word '.repeat(500);
		const prices = await priceGenerations({ client }, [
			prepareAudio({ prompt: 'short' }),
			prepareAudio({ prompt: long }),
			prepareAudio({ prompt: 'rain', model: DEFAULT_MUSIC_MODEL, duration: 45 }),
			prepareAudio({ prompt: 'wind', model: DEFAULT_MUSIC_MODEL, duration: 45 }),
		]);
		expect(prices.map((price) => (price.ok ? price.value : price.error))).toEqual([2, 6, 5, 5]);
		const estimates = requests.filter((request) => request.url.endsWith('/estimate'));
		expect(estimates).toHaveLength(4);
	});
});
