/**
 * The package in n8n's queue mode, as users scale it: Redis, Postgres, an n8n main process
 * and two workers (scripts/queue-rig.ts), the newest n8n line, the emulator on the real clock
 * with Clipia's published limits (10 generations at once, 120 requests per minute per key).
 * Each scenario prints its figures.
 */

import { DEMO_KEYS } from '../../emulator/server';
import { NEWEST_LINE } from '../../scripts/n8n-runtime';
import { generateVideoNode, useQueueRig, webhookWorkflow } from '../helpers/n8n-server';
import { IMAGE_SECONDS, SHARED_KEY_WORKFLOW, sharedKeyScenarios } from './shared-key';

import { readFileSync } from 'node:fs';

const VIDEO_BYTES = 200 * 1024 * 1024;
/** What a worker may grow by for one such video. */
const RSS_TARGET_MB = 64;

const WORKFLOWS = [
	SHARED_KEY_WORKFLOW,
	webhookWorkflow('clipiaScaleVideosWebhook', 'scale-videos-webhook', generateVideoNode('webhook', 'urls', 900)),
	webhookWorkflow('clipiaScaleVideosPoll', 'scale-videos-poll', generateVideoNode('poll', 'urls', 900)),
	webhookWorkflow('clipiaScaleVideoBinary', 'scale-video-binary', generateVideoNode('poll', 'binary', 900)),
	webhookWorkflow(
		'clipiaScaleVideoBinaryUnlimited',
		'scale-video-binary-unlimited',
		generateVideoNode('poll', 'binary', 900, { maxHeldMb: 0 }),
	),
];

/** A process's resident memory, in MB. */
function rssMb(pid: number): number {
	const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
	return line ? Number(line[1]) / 1024 : 0;
}

const queue = useQueueRig(
	{
		line: NEWEST_LINE,
		workers: 2,
		workflows: WORKFLOWS,
		emulator: {
			timeScale: 1,
			runSeconds: { image: IMAGE_SECONDS, video: 20 },
			wallClockHeaders: true,
			videoBytes: VIDEO_BYTES,
		},
	},
	`Queue mode (n8n ${NEWEST_LINE}, main + 2 workers, Redis, Postgres)`,
);

const prompts = (count: number, tag: string) => Array.from({ length: count }, (_, n) => `${tag} ${n + 1}`);

sharedKeyScenarios(queue);

it('a batch parked in webhook mode on a worker is resumed through the main process and finished by a worker', async () => {
	const before = { ...queue.rig.emulator.stats(DEMO_KEYS.live) };
	const id = await queue.n8n.start('scale-videos-webhook', 'clipiaScaleVideosWebhook', prompts(10, 'parked video'));
	// Parked, it holds no worker: n8n's queue has no active job while the videos render.
	expect(await queue.n8n.reaches(id, 'waiting')).toBe('waiting');
	const heldWhileParked = queue.rig.activeJobs();
	expect(heldWhileParked).toBe(0);
	const seen = await queue.n8n.statusesUntilDone(id, 300_000);
	expect(seen.at(-1)).toBe('success');
	const items = await queue.n8n.itemsOf(id);
	expect(items.map((item) => item.json.status)).toEqual(Array(10).fill('COMPLETED'));
	const used = queue.rig.emulator.stats(DEMO_KEYS.live).requests - before.requests;
	const ids = new Set(items.map((item) => String(item.json.request_id)));
	const sent = queue.rig.emulator.webhookDeliveries
		.filter((one) => ids.has(one.requestId))
		.map((one) => one.sentAt)
		.sort((a, b) => a - b);
	const gaps = sent.slice(1).map((at, n) => at - sent[n]);
	// A delivery with no newer one within 3 s (the node's settle) asks the API once: one read more.
	const lone = gaps.filter((gap) => gap > 3_000).length;
	queue.figures.push(
		`- 10 videos parked in webhook mode: ${used} API requests (${(used / 10).toFixed(1)} per video), statuses ${seen.join(' → ')}; ` +
			`${sent.length} deliveries over ${((sent.at(-1)! - sent[0]) / 1000).toFixed(1)} s, ${lone} followed by none within 3 s; active queue jobs while parked: ${heldWhileParked}`,
	);
	// 10 submits, 1 model schema, and one read per lone delivery: each signed delivery tells its video whole.
	expect(used).toBeLessThanOrEqual(11 + lone);
}, 600_000);

/** Runs `work` while sampling the workers' resident memory every 100 ms; returns how much the larger grew. */
async function workerGrowthMb<T>(work: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
	const workers = queue.rig.workers.map((worker) => worker.process.pid!);
	const baseline = workers.map(rssMb);
	let peak = baseline.slice();
	const sampler = setInterval(() => (peak = workers.map((pid, n) => Math.max(peak[n], rssMb(pid)))), 100);
	const result = await work().finally(() => clearInterval(sampler));
	return { result, growthMb: Math.max(...peak.map((mb, n) => mb - baseline[n])) };
}

const storedBytes = () => Number(queue.rig.query('SELECT coalesce(sum("fileSize"), 0) FROM binary_data')[0][0]);

it('10 videos of 200 MiB as binary output in queue mode: none is held in memory; each keeps its URL and says why', async () => {
	const before = storedBytes();
	const { result: items, growthMb } = await workerGrowthMb(async () => {
		const id = await queue.n8n.start('scale-video-binary', 'clipiaScaleVideoBinary', prompts(10, 'long video'));
		expect((await queue.n8n.statusesUntilDone(id, 300_000)).at(-1)).toBe('success');
		return queue.n8n.itemsOf(id);
	});
	expect(items).toHaveLength(10);
	for (const item of items) {
		expect(item.binary).toBeUndefined();
		expect(item.json).toMatchObject({
			status: 'COMPLETED',
			output: { video: { url: expect.stringMatching(/\.mp4$/) } },
		});
		expect(item.json.note).toMatch(
			/^Not downloaded as binary: the file is 200 MB, over the 20 MB this node lets n8n hold in memory/,
		);
	}
	const stored = storedBytes() - before;
	queue.figures.push(
		`- 10 videos of ${VIDEO_BYTES / 1024 / 1024} MiB, Output "Binary File" (Max File Size Held in Memory: the default 20 MB): 10 URLs kept with the note, ` +
			`${stored} bytes added to Postgres; worker RSS grew by at most ${growthMb.toFixed(0)} MB (target ≤ ${RSS_TARGET_MB} MB)`,
	);
	expect(stored).toBe(0);
	expect(growthMb).toBeLessThanOrEqual(RSS_TARGET_MB);
}, 600_000);

it('why: with no limit, one 200 MiB video goes to Postgres and a worker holds about 3× the file on the way', async () => {
	const before = storedBytes();
	const { result: item, growthMb } = await workerGrowthMb(async () => {
		const id = await queue.n8n.start('scale-video-binary-unlimited', 'clipiaScaleVideoBinaryUnlimited', [
			'one long video',
		]);
		expect((await queue.n8n.statusesUntilDone(id, 300_000)).at(-1)).toBe('success');
		return (await queue.n8n.itemsOf(id))[0];
	});
	expect(item.binary?.data?.mimeType).toBe('video/mp4');
	const stored = storedBytes() - before;
	queue.figures.push(
		`- the same video with no limit (0): ${(stored / 1024 / 1024).toFixed(0)} MiB added to Postgres (binary_data); worker RSS grew by at most ${growthMb.toFixed(0)} MB`,
	);
	expect(stored).toBeGreaterThanOrEqual(VIDEO_BYTES);
}, 600_000);
