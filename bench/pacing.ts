/**
 * Pacing on the real clock: batches of the default-length video (60 s) run by the real
 * Clipia Generate Video node inside n8n-core's engine, against an emulator in real time
 * that limits the key to 10 generations at once and 120 requests per minute.
 *
 * - Makespan against the bound the limits set: ⌈N / 10⌉ rounds of (queue dispatch + 60 s).
 *   Whatever the node adds (a late look, a late submit, idle budget) shows as the ratio.
 * - Detection latency: from the moment a generation ended at Clipia to the first answer
 *   that told the node so (read from the emulator's request log).
 *
 * - API requests per video, beside the floor (a submit and one look: 2).
 *
 * Max Concurrency 20 on a key of 10 has the node meet the key's limit; it runs under both of
 * the emulator's ways of refusing a submit over it (see RefusalPolicy), since Clipia's
 * documents leave that open. The batches run at the same time on separate keys, so a run
 * takes about 6 minutes.
 */

import { ClipiaEmulator, type RefusalPolicy } from '../emulator/server';
import { median, table } from './report';
import { runVideoBatch } from './video-batch';

const CONCURRENCY = 10;
const RPM = 120;
const VIDEO_SECONDS = 60;
const BATCHES: Array<{ jobs: number; maxConcurrency: number; refusals?: RefusalPolicy }> = [
	{ jobs: 20, maxConcurrency: CONCURRENCY },
	{ jobs: 60, maxConcurrency: CONCURRENCY },
	{ jobs: 60, maxConcurrency: 2 * CONCURRENCY, refusals: 'projected' },
	{ jobs: 60, maxConcurrency: 2 * CONCURRENCY, refusals: 'running' },
];
const TARGET_RATIO = 1.02;
/** A submit and one look: the fewest requests a polled generation takes. */
const FLOOR_PER_JOB = 2;
const TARGET_PER_JOB = 2.5;
/** Of all requests, at most this share answered 429. */
const TARGET_REFUSED = 0.1;
const TARGET_MEDIAN_S = 1;
const TARGET_P95_S = 2.5;

export interface PacingFigures {
	jobs: number;
	label: string;
	boundS: number;
	makespanS: number;
	completed: number;
	requests: number;
	rateLimited: number;
	extraCharge: number;
	/** Seconds from each generation's end to the first answer that reported it. */
	detection: number[];
}

export function percentile(values: number[], share: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? NaN;
}

/** Runs one batch of `jobs` videos on a fresh key and reads the figures off the emulator. */
export async function pacedBatch(
	emulator: ClipiaEmulator,
	key: string,
	jobs: number,
	videoSeconds: number,
	batch: { maxConcurrency?: number; refusals?: RefusalPolicy } = {},
): Promise<PacingFigures> {
	const run = await runVideoBatch(emulator, key, jobs, {
		maxConcurrency: batch.maxConcurrency ?? CONCURRENCY,
		concurrency: CONCURRENCY,
		requestsPerMinute: RPM,
		refusals: batch.refusals,
	});
	const { stats } = run;
	const ids = run.items.map((item) => String(item.json.request_id));
	const detection = ids.flatMap((id) => {
		const ended = emulator.jobInfo(id)?.endAt;
		const seen = emulator.log.find(
			(entry) => entry.method === 'GET' && entry.path === `/v1/requests/${id}` && entry.status === 200,
		);
		return ended !== undefined && seen ? [(seen.at - ended) / 1000] : [];
	});
	const dispatchS = emulator.options.dispatchMs / 1000;
	return {
		jobs,
		label:
			`${jobs} videos` +
			(batch.maxConcurrency && batch.maxConcurrency !== CONCURRENCY
				? `, Max Concurrency ${batch.maxConcurrency}`
				: '') +
			(batch.refusals ? `, refusals ${batch.refusals}` : ''),
		boundS: Math.ceil(jobs / CONCURRENCY) * (dispatchS + videoSeconds),
		makespanS: run.wallSeconds,
		completed: run.completed,
		requests: stats.requests,
		rateLimited: stats.rateLimited,
		extraCharge: run.extraCharge,
		detection,
	};
}

export async function benchPacing(): Promise<boolean> {
	const emulator = new ClipiaEmulator({ timeScale: 1, runSeconds: { video: VIDEO_SECONDS }, videoBytes: 16 * 1024 });
	await emulator.start();
	try {
		const runs = await Promise.all(
			BATCHES.map((batch, n) =>
				pacedBatch(emulator, `clipia_live_bench_pacing_${n}_${batch.jobs}`, batch.jobs, VIDEO_SECONDS, batch),
			),
		);
		console.log(
			`\n## Pacing on the real clock: Generate Video batches (${VIDEO_SECONDS} s videos), key limits ${CONCURRENCY} concurrent / ${RPM} rpm\n`,
		);
		let met = true;
		const rows: string[][] = [];
		for (const run of runs) {
			const ratio = run.makespanS / run.boundS;
			const med = median(run.detection);
			const p95 = percentile(run.detection, 0.95);
			const perJob = run.requests / run.jobs;
			const refused = run.rateLimited / run.requests;
			const ok =
				ratio <= TARGET_RATIO &&
				(run.jobs < 60 || perJob <= TARGET_PER_JOB) &&
				refused <= TARGET_REFUSED &&
				run.completed === run.jobs &&
				run.extraCharge === 0 &&
				run.detection.length === run.jobs &&
				med <= TARGET_MEDIAN_S &&
				p95 <= TARGET_P95_S;
			met &&= ok;
			rows.push([`${run.label}: bound`, `${run.boundS.toFixed(1)} s`, '1.000×', '', '', '', '', '', '', '']);
			rows.push([
				`${run.label}: node`,
				`${run.makespanS.toFixed(1)} s`,
				`${ratio.toFixed(3)}×`,
				`${med.toFixed(2)} s`,
				`${p95.toFixed(2)} s`,
				`${Math.max(...run.detection).toFixed(2)} s`,
				`${run.completed}/${run.jobs}`,
				`${run.requests} (${perJob.toFixed(2)}/job)`,
				String(FLOOR_PER_JOB),
				`${run.rateLimited} (${(100 * refused).toFixed(1)}%) / ${run.extraCharge}`,
			]);
		}
		console.log(
			table(
				[
					'run',
					'makespan',
					'vs bound',
					'detect median',
					'detect p95',
					'detect max',
					'completed',
					'API requests',
					'floor /job',
					'429s / extra charge',
				],
				rows,
			),
		);
		console.log(
			`\nTargets: makespan ≤ ${TARGET_RATIO}× the bound, ≤ ${TARGET_PER_JOB} requests per video in the 60-video batches, ≤ ${100 * TARGET_REFUSED}% of requests answered 429, detection median ≤ ${TARGET_MEDIAN_S} s and p95 ≤ ${TARGET_P95_S} s, all completed, 0 extra charges: ${met ? 'met' : 'MISSED'}`,
		);
		return met;
	} finally {
		await emulator.stop();
	}
}
