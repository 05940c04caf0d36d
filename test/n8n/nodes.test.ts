/** The three nodes inside n8n-core's execution engine, against the emulator over real HTTP. */

import { readFileSync, statSync } from 'node:fs';
import { DEMO_KEYS } from '../../emulator/server';
import { keyMaker, useEmulator } from '../helpers/emulator';
import { binaryPath, NODE_TYPES, runNode, type NodeRun } from './harness';

const SCALE = 20;
const emulator = useEmulator({
	timeScale: SCALE,
	runSeconds: { image: 8, video: 40 },
	videoBytes: 3 * 1024 * 1024,
	wallClockHeaders: true,
});
const freshKey = keyMaker(emulator, 'n8n', { credits: 5_000 });

const credentials = (apiKey: string) => ({ apiKey, baseUrl: emulator.url });
const items = (count: number, make: (index: number) => Record<string, unknown> = () => ({})) =>
	Array.from({ length: count }, (_, index) => ({ json: make(index) }));
const submits = (key: string) => emulator.log.filter((entry) => entry.key === key && entry.route === 'submit');

function expectNoKey(run: NodeRun, key: string): void {
	expect(JSON.stringify(run.items)).not.toContain(key);
	expect(JSON.stringify({ message: run.error?.message, description: run.error?.description })).not.toContain(key);
}

describe('Clipia Generate Image', () => {
	it('sends every parameter as intended and outputs one binary item per image, paired to its input', async () => {
		const key = freshKey();
		const run = await runNode({
			type: NODE_TYPES.image,
			credentials: credentials(key),
			input: items(1, () => ({ topic: 'a red fox' })),
			parameters: {
				prompt: '={{ $json.topic }} in the snow',
				model: 'nano-banana-2',
				aspectRatio: '16:9',
				resolution: '2k',
				numImages: 2,
				referenceImageUrls: 'https://example.com/a.png\nhttps://example.com/b.png',
				options: {
					extraInput: '{"seed": 42}',
					binaryPropertyName: 'picture',
					webhookUrl: 'https://hooks.example.com/clipia',
				},
			},
		});
		expect(run.error).toBeUndefined();
		const [submit] = submits(key);
		expect(submit.path).toBe('/v1/models/nano-banana-2');
		expect(submit.body).toEqual({
			input: {
				prompt: 'a red fox in the snow',
				aspect_ratio: '16:9',
				resolution: '2k',
				num_images: 2,
				image_urls: ['https://example.com/a.png', 'https://example.com/b.png'],
				seed: 42,
			},
			webhook_url: 'https://hooks.example.com/clipia',
		});
		expect(run.items).toHaveLength(2);
		for (const [index, item] of run.items.entries()) {
			expect(item.pairedItem).toEqual({ item: 0 });
			expect(item.json).toMatchObject({ status: 'COMPLETED', model: 'nano-banana-2' });
			const binary = item.binary!.picture;
			expect(binary).toMatchObject({
				mimeType: 'image/png',
				fileExtension: 'png',
				fileName: `clipia-${item.json.request_id}-${index + 1}.png`,
			});
			const file = binaryPath(binary.id!);
			expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
			expect((item.json.files as Array<{ bytes: number }>)[0].bytes).toBe(statSync(file).size);
		}
		expect(emulator.stats(key).charged).toBe(run.items[0].json.cost_credits);
		expectNoKey(run, key);
	});

	it('URLs output: the result JSON only; automatic choices not sent', async () => {
		const key = freshKey();
		const run = await runNode({
			type: NODE_TYPES.image,
			credentials: credentials(key),
			parameters: { prompt: 'a fox', output: 'urls' },
		});
		expect(run.items).toHaveLength(1);
		expect(run.items[0].binary).toBeUndefined();
		expect(run.items[0].json).toMatchObject({ status: 'COMPLETED', model: 'nano-banana-2', cost_credits: 4 });
		// Choices left at "Automatic" are not sent: the model's own defaults apply.
		expect(submits(key)[0].body).toEqual({ input: { prompt: 'a fox' } });
	});

	it('a sandbox key returns the sample output at once and charges nothing', async () => {
		const run = await runNode({
			type: NODE_TYPES.image,
			credentials: credentials(DEMO_KEYS.test),
			parameters: { prompt: 'a fox' },
		});
		expect(run.error).toBeUndefined();
		expect(run.items[0].json).toMatchObject({ status: 'COMPLETED' });
		expect(run.items[0].binary?.data.mimeType).toBe('image/png');
		expect(emulator.stats(DEMO_KEYS.test).charged).toBe(0);
	});

	it('bad input stops the node before any request, naming the item', async () => {
		const key = freshKey();
		const run = await runNode({
			type: NODE_TYPES.image,
			credentials: credentials(key),
			input: items(3, (index) => ({ n: index === 1 ? 9 : 1 })),
			parameters: { prompt: 'x', numImages: '={{ $json.n }}' },
		});
		expect(run.error?.message).toMatch(/"Number of Images" \(num_images\) must be a whole number from 1 to 4; got 9/);
		expect(run.error?.name).toBe('NodeOperationError');
		expect((run.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);
		expect(emulator.stats(key).requests).toBe(0);
	});

	it('continueOnFail: bad and FAILED items become error items; the others go on', async () => {
		const key = freshKey();
		const prompts = ['a fox', '', 'a bird [emulator:fail]', 'a cat'];
		const run = await runNode({
			type: NODE_TYPES.image,
			credentials: credentials(key),
			continueOnFail: true,
			input: items(4, (index) => ({ prompt: prompts[index] })),
			parameters: { prompt: '={{ $json.prompt }}', output: 'urls' },
		});
		expect(run.items.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		expect(run.items[0].json.status).toBe('COMPLETED');
		expect(run.items[1].json.error).toMatch(/"Prompt" \(prompt\) is required/);
		expect(run.items[2].json).toMatchObject({ code: 'generation_failed', request_id: expect.any(String) });
		expect(run.items[2].json.error).toMatch(/could not complete generation .*refunded/);
		expect(run.items[3].json.status).toBe('COMPLETED');
		expect(submits(key)).toHaveLength(3);
		expect(emulator.stats(key).charged).toBe(8);
	});
});

describe('batch', () => {
	it('50 items: submitted together, in order, paired, each charged exactly once, at most maxConcurrency at a time', async () => {
		const key = freshKey({ requestsPerMinute: 600, concurrency: 10 });
		const run = await runNode({
			type: NODE_TYPES.image,
			credentials: credentials(key),
			input: items(50, (index) => ({ prompt: `picture ${index}` })),
			parameters: { prompt: '={{ $json.prompt }}', output: 'urls', options: { maxConcurrency: 10 } },
		});
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(50);
		expect(run.items.map((item) => item.pairedItem)).toEqual(Array.from({ length: 50 }, (_, item) => ({ item })));
		expect(run.items.every((item) => item.json.status === 'COMPLETED')).toBe(true);
		const bodies = new Map(
			submits(key).map((entry) => [(entry.body as { input: { prompt: string } }).input.prompt, entry]),
		);
		for (const [index, item] of run.items.entries()) {
			// Each output item is the generation of its own input's prompt.
			const prompt = `picture ${index}`;
			expect(bodies.has(prompt)).toBe(true);
			expect(emulator.jobInfo(item.json.request_id as string)).toBeDefined();
		}
		expect(new Set(run.items.map((item) => item.json.request_id)).size).toBe(50);
		expect(emulator.stats(key).jobs).toBe(50);
		expect(emulator.stats(key).charged).toBe(50 * 4);
		// Worked on together, bounded by maxConcurrency: up to 10 generations alive at once.
		const spans = run.items.map((item) => emulator.jobInfo(item.json.request_id as string)!);
		const peak = Math.max(
			...spans.map(
				(span) =>
					spans.filter((other) => other.createdAt <= span.createdAt && (other.endAt ?? Infinity) > span.createdAt)
						.length,
			),
		);
		expect(peak).toBeGreaterThanOrEqual(8);
		expect(peak).toBeLessThanOrEqual(10);
	});

	it('Idempotency Key: a run again of the same items gets the same generations, charged once; an edited prompt is new; no key, all new', async () => {
		const key = freshKey({ requestsPerMinute: 600, concurrency: 10 });
		const rows = (edited = -1) =>
			items(5, (index) => ({ row: `row-${index}`, prompt: index === edited ? 'an edited clip' : `clip ${index}` }));
		const run = (input: ReturnType<typeof rows>, idempotencyKey?: string) =>
			runNode({
				type: NODE_TYPES.video,
				credentials: credentials(key),
				input,
				parameters: {
					prompt: '={{ $json.prompt }}',
					waitForCompletion: false,
					options: idempotencyKey ? { idempotencyKey } : {},
				},
			});
		const ids = (outcome: NodeRun) => outcome.items.map((item) => item.json.request_id as string);
		const first = await run(rows(), '={{ $json.row }}');
		expect(first.error).toBeUndefined();
		expect(new Set(ids(first)).size).toBe(5);
		expect(emulator.stats(key).jobs).toBe(5);

		// The same job again (a run after a crash): the same five generations, nothing charged.
		const again = await run(rows(), '={{ $json.row }}');
		expect(ids(again)).toEqual(ids(first));
		expect(emulator.stats(key).jobs).toBe(5);

		// One prompt edited under the same key: that item is a new generation; the others are kept.
		const edited = await run(rows(2), '={{ $json.row }}');
		expect(ids(edited).filter((id, index) => id !== ids(first)[index])).toHaveLength(1);
		expect(ids(edited)[2]).not.toBe(ids(first)[2]);
		expect(emulator.stats(key).jobs).toBe(6);

		// Without a key every run is new.
		const fresh = await run(rows());
		expect(ids(fresh).some((id) => ids(first).includes(id))).toBe(false);
		expect(emulator.stats(key).jobs).toBe(11);
	});

	it('Max Credits per Run: over the cap nothing is submitted and the error says the total, the cap and the dearest items; under it the batch runs', async () => {
		const key = freshKey({ requestsPerMinute: 600, concurrency: 10 });
		const routes = () => ({ ...emulator.stats(key).byRoute });
		const run = (cap: number, prompts: string[]) =>
			runNode({
				type: NODE_TYPES.video,
				credentials: credentials(key),
				input: prompts.map((prompt) => ({ json: { prompt } })),
				parameters: { prompt: '={{ $json.prompt }}', waitForCompletion: false, options: { maxCreditsPerRun: cap } },
			});
		const same = Array(5).fill('waves at dusk');
		const over = await run(100, same);
		expect(over.error?.message).toBe(
			'This run would cost 200 credits, more than Max Credits per Run (100). Nothing was submitted.',
		);
		expect(over.error?.description).toMatch(/item 1 of 5 \(40 credits\), item 2 of 5 \(40 credits\), item 3 of 5/);
		// Five items asking the same thing: priced once.
		expect(routes()).toMatchObject({ estimate: 1 });
		expect(routes().submit ?? 0).toBe(0);
		expect(emulator.stats(key).charged).toBe(0);

		// Items that differ only in their prompt are priced once too.
		const distinct = ['waves 1', 'waves 2', 'waves 3'];
		const under = await run(120, distinct);
		expect(under.error).toBeUndefined();
		expect(under.items).toHaveLength(3);
		expect(routes()).toMatchObject({ estimate: 2, submit: 3 });
		expect(emulator.stats(key).charged).toBe(120);
	});

	it('Max Credits per Run: an item that cannot be priced fails alone (Continue on Fail), the others are priced and run', async () => {
		const key = freshKey({ requestsPerMinute: 600, concurrency: 10 });
		const run = await runNode({
			type: NODE_TYPES.video,
			credentials: credentials(key),
			input: [{ json: { model: '' } }, { json: { model: 'no-such-model' } }, { json: { model: '' } }],
			parameters: {
				prompt: 'a harbour at dawn',
				model: '={{ $json.model }}',
				waitForCompletion: false,
				options: { maxCreditsPerRun: 100 },
			},
			continueOnFail: true,
		});
		expect(run.error).toBeUndefined();
		expect(run.items.map((item) => Boolean(item.json.request_id))).toEqual([true, false, true]);
		expect(run.items[1]).toMatchObject({
			json: { error: expect.stringMatching(/no-such-model/) },
			pairedItem: { item: 1 },
		});
		expect(emulator.stats(key).byRoute.submit).toBe(2);
	});

	it('credits running out mid-batch: no more submits; the submitted ones are waited for and output; the rest are error items, nothing charged twice', async () => {
		const key = freshKey({ requestsPerMinute: 600, concurrency: 10, credits: 120 });
		const run = await runNode({
			type: NODE_TYPES.video,
			credentials: credentials(key),
			input: items(6, (index) => ({ prompt: `a lantern ${index}` })),
			parameters: {
				prompt: '={{ $json.prompt }}',
				waitForCompletion: true,
				output: 'urls',
				options: { maxConcurrency: 2, maxWaitSeconds: 120 },
			},
			continueOnFail: true,
		});
		expect(run.error).toBeUndefined();
		const statuses = run.items.map((item) => item.json.status ?? item.json.code);
		expect(statuses.filter((status) => status === 'COMPLETED')).toHaveLength(3);
		expect(statuses.filter((status) => status === 'insufficient_credits')).toHaveLength(3);
		expect(run.items.map((item) => item.pairedItem)).toEqual(Array.from({ length: 6 }, (_, item) => ({ item })));
		expect(run.items.filter((item) => /^Not submitted/.test(String(item.json.error)))).toHaveLength(2);
		// One refused submit told the batch; the items after it never asked.
		expect(emulator.stats(key).byRoute.submit).toBe(4);
		expect(emulator.stats(key).jobs).toBe(3);
		expect(emulator.stats(key).charged).toBe(120);
	});

	it('credits running out mid-batch without Continue on Fail: one error naming every submitted request_id and how many were not submitted', async () => {
		const key = freshKey({ requestsPerMinute: 600, concurrency: 10, credits: 80 });
		const run = await runNode({
			type: NODE_TYPES.video,
			credentials: credentials(key),
			input: items(4, (index) => ({ prompt: `a kite ${index}` })),
			parameters: { prompt: '={{ $json.prompt }}', waitForCompletion: false, options: { maxConcurrency: 1 } },
		});
		expect(run.error?.message).toMatch(/credits/i);
		const submitted = emulator.log.filter(
			(entry) => entry.key === key && entry.route === 'submit' && entry.status === 200,
		);
		expect(submitted).toHaveLength(2);
		const named = new Set(
			String(run.error?.description).match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g),
		);
		expect(named.size).toBe(2);
		for (const id of named) expect(emulator.jobInfo(id)).toBeDefined();
		expect(run.error?.description).toMatch(/2 other item\(s\) of this run were submitted and paid for/);
		expect(run.error?.description).toMatch(/2 item\(s\) were not submitted/);
		expect(emulator.stats(key).charged).toBe(80);
	});

	it('a failing batch also names the paid items that failed after their submit (a wait that ran out)', async () => {
		const key = freshKey({ requestsPerMinute: 600, concurrency: 10 });
		const run = await runNode({
			type: NODE_TYPES.video,
			credentials: credentials(key),
			input: items(3, (index) => ({ prompt: `a glacier ${index} [emulator:seconds=600]` })),
			parameters: {
				prompt: '={{ $json.prompt }}',
				waitForCompletion: true,
				output: 'urls',
				options: { maxWaitSeconds: 2 },
			},
		});
		expect(run.error?.message).toMatch(/still running/i);
		const named = new Set(
			String(run.error?.description).match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g),
		);
		// Its own and the two others: every generation paid for.
		expect(named.size).toBe(3);
		expect(run.error?.description).toMatch(/2 other item\(s\) of this run were submitted and paid for/);
	});

	it('a failing batch names every other request_id it paid for (more than 20 of them), and what became of them', async () => {
		const key = freshKey({ requestsPerMinute: 600, concurrency: 10 });
		const run = await runNode({
			type: NODE_TYPES.image,
			credentials: credentials(key),
			input: items(30, (index) => ({ prompt: index === 29 ? 'the last one [emulator:fail]' : `picture ${index}` })),
			parameters: { prompt: '={{ $json.prompt }}', output: 'urls', options: { maxConcurrency: 10 } },
		});
		expect(run.error?.message).toMatch(/Clipia could not complete generation/);
		const ids = [
			...new Set(
				emulator.log
					.filter((entry) => entry.key === key && entry.route === 'result')
					.map((entry) => entry.path.split('/').pop()!),
			),
		];
		expect(ids).toHaveLength(30);
		const failed = ids.filter((id) => emulator.jobInfo(id)?.status === 'FAILED');
		expect(failed).toHaveLength(1);
		expect(run.error?.message).toContain(failed[0]);
		const description = String(run.error?.description);
		expect(description).toMatch(
			/29 other item\(s\) of this run were submitted and paid for \(29 completed, 0 still running or ended otherwise\)/,
		);
		for (const id of ids.filter((id) => id !== failed[0])) expect(description).toContain(id);
	});
});

describe('Clipia Generate Video → Clipia Wait Generation', () => {
	it('returns request_id and cost at once, then the Wait node streams the MP4 into binary data', async () => {
		const key = freshKey();
		const submitted = await runNode({
			type: NODE_TYPES.video,
			credentials: credentials(key),
			parameters: { prompt: 'waves', duration: 5, resolution: '1080p', aspectRatio: '9:16', generateAudio: true },
		});
		// At once: submitted, and not looked at again.
		expect(emulator.stats(key).byRoute).toEqual({ model: 1, submit: 1 });
		expect(submitted.items[0].json).toMatchObject({
			status: 'IN_QUEUE',
			model: 'seedance-2-fast-t2v',
			next_step: expect.stringMatching(/Clipia Wait Generation/),
		});
		expect(submits(key)[0].body).toEqual({
			input: { prompt: 'waves', duration: 5, resolution: '1080p', aspect_ratio: '9:16', generate_audio: true },
		});

		// Filesystem storage streams: a file over Max File Size Held in Memory is downloaded all the same.
		const waited = await runNode({
			type: NODE_TYPES.wait,
			credentials: credentials(key),
			input: submitted.items,
			parameters: { options: { maxHeldMb: 1 } },
		});
		expect(waited.error).toBeUndefined();
		const item = waited.items[0];
		expect(item.json).toMatchObject({ status: 'COMPLETED', request_id: submitted.items[0].json.request_id });
		expect(item.binary!.data).toMatchObject({
			mimeType: 'video/mp4',
			fileExtension: 'mp4',
			fileName: `clipia-${item.json.request_id}.mp4`,
		});
		expect(statSync(binaryPath(item.binary!.data.id!)).size).toBe(3 * 1024 * 1024);
		expect(emulator.stats(key).charged).toBe(submitted.items[0].json.cost_credits);
	});

	it('an image URL picks the image-to-video model', async () => {
		const key = freshKey();
		const run = await runNode({
			type: NODE_TYPES.video,
			credentials: credentials(key),
			parameters: { prompt: 'pan', imageUrl: 'https://example.com/a.png' },
		});
		expect(run.items[0].json.model).toBe('seedance-2-fast-i2v');
		expect(submits(key)[0].body).toEqual({
			input: { prompt: 'pan', image_url: 'https://example.com/a.png' },
		});
	});

	it('a wait past maxWaitSeconds says so, names the request_id and the Wait node', async () => {
		const key = freshKey();
		const run = await runNode({
			type: NODE_TYPES.video,
			credentials: credentials(key),
			parameters: { prompt: 'slow [emulator:seconds=900]', waitForCompletion: true, options: { maxWaitSeconds: 1 } },
		});
		const polled = emulator.log.find((entry) => entry.key === key && entry.path.startsWith('/v1/requests/'))!;
		const requestId = polled.path.split('/').pop()!;
		expect(run.error?.message).toMatch(/still running after 1 s.*Clipia Wait Generation/);
		expect(run.error?.message).toContain(requestId);
		expect(run.error?.name).toBe('NodeOperationError');
	});

	it('cancelling the execution stops the wait at once; the job keeps its request_id on Clipia', async () => {
		const key = freshKey();
		const started = Date.now();
		const run = await runNode({
			type: NODE_TYPES.video,
			credentials: credentials(key),
			parameters: { prompt: 'slow [emulator:seconds=900]', waitForCompletion: true, options: { maxWaitSeconds: 600 } },
			cancelAfterMs: 1000,
		});
		// Far from the 600 s it would wait uncancelled; loose enough for a busy machine.
		expect(Date.now() - started).toBeLessThan(15_000);
		expect(run.status).toBe('canceled');
		const after = emulator.stats(key).requests;
		await new Promise((resolve) => setTimeout(resolve, 2000));
		expect(emulator.stats(key).requests).toBe(after);
		expect(emulator.stats(key).jobs).toBe(1);
	});

	it('Max Wait bounds the item even when Clipia stops answering: ends within Max Wait + 5 s, naming the request_id', async () => {
		const key = freshKey();
		const submitted = await runNode({
			type: NODE_TYPES.video,
			credentials: credentials(key),
			parameters: { prompt: 'x' },
		});
		// Every read of the request hangs for 70 s (real time) from now on.
		emulator.inject({ key, path: '/v1/requests/', times: 100, action: { type: 'delay', ms: 70_000 * SCALE } });
		const started = Date.now();
		const run = await runNode({
			type: NODE_TYPES.wait,
			credentials: credentials(key),
			input: submitted.items,
			parameters: { maxWaitSeconds: 3 },
		});
		expect((Date.now() - started) / 1000).toBeLessThan(8);
		expect(`${run.error?.message}`).toContain(String(submitted.items[0].json.request_id));
	}, 30_000);

	it('Max Wait bounds the submit too: a submit that never answers ends the item within Max Wait + 5 s', async () => {
		const key = freshKey();
		emulator.inject({
			key,
			path: '/v1/models/nano-banana-2',
			method: 'POST',
			times: 100,
			action: { type: 'delay', ms: 70_000 * SCALE },
		});
		const started = Date.now();
		const run = await runNode({
			type: NODE_TYPES.image,
			credentials: credentials(key),
			parameters: { prompt: 'x', output: 'urls', options: { maxWaitSeconds: 3 } },
		});
		expect((Date.now() - started) / 1000).toBeLessThan(8);
		expect(run.error?.message).toMatch(/Could not reach Clipia|did not answer in time/);
	}, 30_000);

	it('media that are not what they claim (a page served as video/mp4) never become a file; the error names the request_id', async () => {
		const key = freshKey();
		const submitted = await runNode({
			type: NODE_TYPES.video,
			credentials: credentials(key),
			parameters: { prompt: 'x [emulator:bad-media]' },
		});
		const run = await runNode({
			type: NODE_TYPES.wait,
			credentials: credentials(key),
			input: submitted.items,
			parameters: {},
		});
		expect(run.error?.message).toMatch(/getting its media failed/);
		expect(`${run.error?.message} ${run.error?.description ?? ''}`).toMatch(
			/claims to be video\/mp4 but its bytes are no known image, video or audio format/,
		);
		expect(`${run.error?.message}`).toContain(String(submitted.items[0].json.request_id));
	});

	it('Fail on Error off: a FAILED generation is an item with status and error', async () => {
		const key = freshKey();
		const submitted = await runNode({
			type: NODE_TYPES.video,
			credentials: credentials(key),
			parameters: { prompt: 'x [emulator:fail]' },
		});
		const run = await runNode({
			type: NODE_TYPES.wait,
			credentials: credentials(key),
			input: submitted.items,
			parameters: { failOnError: false },
		});
		expect(run.items[0].json).toMatchObject({
			status: 'FAILED',
			error: { code: 'GENERATION_FAILED' },
			cost_credits: expect.any(Number),
		});
		expect(emulator.stats(key).charged).toBe(0);
	});
});

describe('contract errors as the n8n user sees them', () => {
	async function failing(
		key: string,
		type: string,
		parameters: Record<string, unknown>,
		input?: Array<{ json: Record<string, unknown> }>,
	) {
		const run = await runNode({ type, credentials: credentials(key), parameters, input });
		expect(run.error).toBeDefined();
		expectNoKey(run, key);
		return run.error!;
	}

	it('401 invalid_api_key', async () => {
		const error = await failing('clipia_live_unknown_key_123456', NODE_TYPES.image, { prompt: 'x' });
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toMatch(/did not accept the API key.*Check the key in your Clipia credentials/);
	});

	it("402 insufficient_credits: Clipia's sentence, not n8n's generic payment text", async () => {
		const error = await failing(DEMO_KEYS.poor, NODE_TYPES.image, { prompt: 'x' });
		expect(error.message).toMatch(/Not enough Clipia credits.*Top up/);
		expect(error.message).not.toMatch(/perhaps check your payment details/);
	});

	it('403 insufficient_scope', async () => {
		const error = await failing(freshKey({ scopes: ['read'] }), NODE_TYPES.video, { prompt: 'x' });
		expect(error.message).toMatch(/not allowed.*"generate" scope/);
	});

	it('404 not_found for an unknown request_id, with that id', async () => {
		const error = await failing(freshKey(), NODE_TYPES.wait, { requestId: 'req-unknown-123' });
		expect(error.message).toMatch(/found nothing.*req-unknown-123/);
	});

	it("a value the chosen model can't take: named with what it can take, before anything is submitted", async () => {
		const key = freshKey();
		const error = await failing(key, NODE_TYPES.video, { prompt: 'x', model: 'kling-3-pro', duration: 7 });
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe('kling-3-pro takes "Duration (Seconds)" (duration) 5, 10; got 7.');
		expect(emulator.stats(key).byRoute.submit ?? 0).toBe(0);
	});

	it('422 model_input_invalid (a value sent as Extra Input) names the field; nothing charged', async () => {
		const key = freshKey();
		const error = await failing(key, NODE_TYPES.video, {
			prompt: 'x',
			model: 'kling-3-pro',
			options: { extraInput: '{"duration": 7}' },
		});
		expect(error.message).toMatch(/rejected the input.*duration.*nothing was charged/);
		expect(emulator.stats(key).charged).toBe(0);
	});

	it('5xx bursts and 429s are retried without failing or charging twice', async () => {
		const key = freshKey();
		emulator.inject({
			key,
			path: '/v1/models/nano-banana-2',
			method: 'POST',
			times: 2,
			action: { type: 'status', status: 503 },
		});
		emulator.inject({ key, path: '/v1/requests/', times: 2, action: { type: 'status', status: 429, retryAfter: '1' } });
		const run = await runNode({
			type: NODE_TYPES.image,
			credentials: credentials(key),
			parameters: { prompt: 'x', output: 'urls' },
		});
		expect(run.error).toBeUndefined();
		expect(run.items[0].json.status).toBe('COMPLETED');
		expect(emulator.stats(key).jobs).toBe(1);
		expect(emulator.stats(key).charged).toBe(4);
	});
});
