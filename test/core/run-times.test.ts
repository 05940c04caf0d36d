/**
 * A batch teaches itself when to look: once a generation of a model completed, the first
 * look at the next lands just after its expected end; those submitted while the first one
 * measures wait for it. Fake clock, a scripted API whose
 * generations run 8 s and report progress.
 */

import { ClipiaClient } from '../../core';
import { RunTimes } from '../../core/wait/run-times';
import { waitForGeneration } from '../../core/wait/waiter';
import { json, scriptedRuntime, SteppedClock } from '../helpers/runtime';

const RUN_MS = 8_000;

function api(apiRunMs = RUN_MS, steppedClock?: SteppedClock) {
	const startedAt = new Map<string, number>();
	const { runtime, requests, clock } = scriptedRuntime((request, clock) => {
		const id = request.url.split('/').pop()!;
		const start = startedAt.get(id)!;
		const elapsed = clock.now() - start;
		if (elapsed < RUN_MS)
			return json(202, { request_id: id, status: 'IN_PROGRESS', progress: Math.floor((elapsed / RUN_MS) * 100) });
		return json(200, {
			request_id: id,
			status: 'COMPLETED',
			model: 'flux-2',
			output: { images: [{ url: `https://media.clipia.ai/${id}.png` }] },
			created_at: new Date(start).toISOString(),
			completed_at: new Date(start + apiRunMs).toISOString(),
		});
	}, steppedClock);
	const client = new ClipiaClient(runtime, { baseUrl: 'https://api.clipia.ai' });
	/** Submits (as far as the clock and the script know) and waits; returns how many looks it took. */
	const generate = async (id: string, runTimes?: RunTimes) => {
		startedAt.set(id, clock.now());
		const answer = await waitForGeneration(client, id, {
			deadline: clock.now() + 60_000,
			initial: { at: clock.now(), status: 'IN_QUEUE', queuePosition: 0 },
			runTimes: runTimes && { of: runTimes, kind: 'flux-2' },
		});
		expect(answer.status).toBe('COMPLETED');
		return {
			looks: requests.filter((request) => request.url.endsWith(id)).length,
			detectedAfter: clock.now() - startedAt.get(id)!,
		};
	};
	return { generate, clock };
}

it('after one of a model, each next generation takes one look, landing within half a second of its end', async () => {
	const { generate } = api();
	const runTimes = new RunTimes();
	const runs = [];
	for (let n = 0; n < 6; n++) runs.push(await generate(`0000000${n}-aaaa-4bbb-8ccc-dddddddddddd`, runTimes));
	expect(runs[0].looks).toBeGreaterThanOrEqual(3);
	for (const run of runs.slice(1)) {
		expect(run.looks).toBe(1);
		expect(run.detectedAfter - RUN_MS).toBeLessThan(500);
	}
});

it('the control: without run times every generation measures its progress first (three looks or more)', async () => {
	const { generate } = api();
	for (let n = 0; n < 4; n++)
		expect((await generate(`0000000${n}-aaaa-4bbb-8ccc-dddddddddddd`)).looks).toBeGreaterThanOrEqual(3);
});

it("API times on another clock (a faster emulator's model time) are bounded by what the caller saw", async () => {
	// The API claims 80 s runs; the caller saw each end within about 8 s: it expects 8 s, not 80.
	const { generate } = api(10 * RUN_MS);
	const runTimes = new RunTimes();
	await generate('00000000-aaaa-4bbb-8ccc-dddddddddddd', runTimes);
	expect(runTimes.expected('flux-2')).toBeLessThan(RUN_MS + 2_000);
	const next = await generate('00000009-aaaa-4bbb-8ccc-dddddddddddd', runTimes);
	expect(next.detectedAfter).toBeLessThan(RUN_MS + 2_500);
});

it('found done at the first look, a generation does not lengthen the estimate by the look’s margin', async () => {
	const { generate } = api(10 * RUN_MS);
	const runTimes = new RunTimes();
	for (let n = 0; n < 2; n++) await generate(`0000000${n}-aaaa-4bbb-8ccc-dddddddddddd`, runTimes);
	const learned = runTimes.expected('flux-2')!;
	for (let n = 2; n < 30; n++)
		await generate(`000000${String(n).padStart(2, '0')}-aaaa-4bbb-8ccc-dddddddddddd`, runTimes);
	expect(runTimes.expected('flux-2')).toBeLessThanOrEqual(learned);
});

/** A first wave of `count` generations submitted together; returns each one's looks and detection time. */
async function wave(count: number, runTimes?: RunTimes) {
	const clock = new SteppedClock();
	const { generate } = api(RUN_MS, clock);
	let ended = 0;
	const runs = Array.from({ length: count }, (_, n) =>
		generate(`000000${String(n).padStart(2, '0')}-aaaa-4bbb-8ccc-dddddddddddd`, runTimes).finally(() => ended++),
	);
	while (ended < count && clock.time < 1_700_000_000_000 + 60_000) await clock.advance(50);
	return Promise.all(runs);
}

it('a first wave: the generation submitted first measures the run time; the rest wait for it and take one look each', async () => {
	const runs = await wave(10, new RunTimes());
	expect(runs[0].looks).toBeGreaterThanOrEqual(3);
	for (const run of runs.slice(1)) {
		expect(run.looks).toBe(1);
		// Seen one look after the first one's end was seen.
		expect(run.detectedAfter - RUN_MS).toBeLessThan(1_500);
	}
	const looks = runs.reduce((sum, run) => sum + run.looks, 0);
	// The control: a wave that learns nothing measures every generation.
	const alone = (await wave(10)).reduce((sum, run) => sum + run.looks, 0);
	expect(alone).toBeGreaterThanOrEqual(30);
	expect(looks).toBeLessThanOrEqual(runs[0].looks + 9);
});

describe('long generations (videos of minutes)', () => {
	const VIDEO_MS = 5 * 60_000;
	/** Videos of 5 minutes with progress; `failsAt` (ms after submit) fails one halfway. */
	function videos(failing = new Set<string>()) {
		const startedAt = new Map<string, number>();
		const { runtime, requests, clock } = scriptedRuntime((request, clock) => {
			const id = request.url.split('/').pop()!;
			const start = startedAt.get(id)!;
			const elapsed = clock.now() - start;
			if (failing.has(id) && elapsed >= VIDEO_MS / 2)
				return json(200, {
					request_id: id,
					status: 'FAILED',
					model: 'kling-3',
					error: { code: 'GENERATION_FAILED', message: 'failed' },
					created_at: new Date(start).toISOString(),
					completed_at: new Date(start + VIDEO_MS / 2).toISOString(),
				});
			if (elapsed < VIDEO_MS)
				return json(202, { request_id: id, status: 'IN_PROGRESS', progress: Math.floor((elapsed / VIDEO_MS) * 100) });
			return json(200, {
				request_id: id,
				status: 'COMPLETED',
				model: 'kling-3',
				output: { video: { url: `https://media.clipia.ai/${id}.mp4` } },
				created_at: new Date(start).toISOString(),
				completed_at: new Date(start + VIDEO_MS).toISOString(),
			});
		});
		const client = new ClipiaClient(runtime, { baseUrl: 'https://api.clipia.ai' });
		const runTimes = new RunTimes();
		const generate = async (id: string) => {
			startedAt.set(id, clock.now());
			const answer = await waitForGeneration(client, id, {
				deadline: clock.now() + 20 * 60_000,
				initial: { at: clock.now(), status: 'IN_QUEUE', queuePosition: 0 },
				runTimes: { of: runTimes, kind: 'kling-3 duration=10' },
			});
			return {
				status: answer.status,
				looks: requests.filter((request) => request.url.endsWith(id)).length,
				detectedAfter: clock.now() - startedAt.get(id)!,
			};
		};
		return { generate };
	}

	it('after one, each next video of the kind takes one look, however long it runs, landing within 1% of its end', async () => {
		const { generate } = videos();
		const runs = [];
		for (let n = 0; n < 4; n++) runs.push(await generate(`1000000${n}-aaaa-4bbb-8ccc-dddddddddddd`));
		expect(runs[0].looks).toBeGreaterThanOrEqual(3);
		for (const run of runs.slice(1)) {
			expect(run).toMatchObject({ status: 'COMPLETED', looks: 1 });
			expect(run.detectedAfter - VIDEO_MS).toBeLessThanOrEqual(0.01 * VIDEO_MS + 250);
		}
	});

	it('a learned video that fails halfway shows at its expected end at the latest, in that one look', async () => {
		const failing = '10000009-aaaa-4bbb-8ccc-dddddddddddd';
		const { generate } = videos(new Set([failing]));
		await generate('10000000-aaaa-4bbb-8ccc-dddddddddddd');
		const failed = await generate(failing);
		expect(failed).toMatchObject({ status: 'FAILED', looks: 1 });
		expect(failed.detectedAfter).toBeLessThanOrEqual(1.01 * VIDEO_MS + 250);
	});
});
