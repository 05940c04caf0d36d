/**
 * The wait schedule against a fixed 1-second poller (what the SDKs do: status every
 * second, then the result), side by side on one time-scaled emulator: API requests per
 * generation and detection latency (job end → waiter returns), in unscaled seconds.
 */

import { ClipiaClient, type Runtime } from '../core';
import { waitForGeneration } from '../core/wait/waiter';
import { ClipiaEmulator } from '../emulator/server';
import { realRuntime } from '../test/helpers/runtime';
import { median, table } from './report';

const SCALE = 10;
const REPS = 7;
const KEY = 'clipia_live_bench_wait';

interface Sample {
	requests: number;
	latencyMs: number;
}

async function fixedPoller(client: ClipiaClient, requestId: string): Promise<void> {
	for (;;) {
		const status = await client.status(requestId);
		if (['COMPLETED', 'FAILED', 'CANCELED'].includes(status.status)) {
			await client.result(requestId);
			return;
		}
		await client.runtime.sleep(1000);
	}
}

async function measure(
	emulator: ClipiaEmulator,
	runtime: Runtime,
	strategy: 'poller' | 'schedule',
	seconds: number,
	progress: boolean,
): Promise<Sample> {
	const client = new ClipiaClient(runtime, { baseUrl: emulator.url, budget: { requestsPerMinute: 1e6, burst: 1e6 } });
	const prompt = `bench ${progress ? '' : '[emulator:no-progress]'} [emulator:seconds=${seconds}]`;
	const submitted = await client.submit('seedance-2-fast-t2v', { prompt });
	const logStart = emulator.log.length;
	if (strategy === 'poller') await fixedPoller(client, submitted.request_id);
	else {
		await waitForGeneration(client, submitted.request_id, {
			deadline: runtime.now() + 3_600_000,
			initial: { at: runtime.now(), status: submitted.status, queuePosition: submitted.queue_position },
		});
	}
	const returnedAt = emulator.now();
	const job = emulator.jobInfo(submitted.request_id)!;
	const requests = emulator.log.slice(logStart).filter((r) => r.path.includes(submitted.request_id)).length;
	return { requests, latencyMs: returnedAt - job.endAt! };
}

export async function benchWaitSchedule(): Promise<boolean> {
	const emulator = new ClipiaEmulator({
		timeScale: SCALE,
		keys: [{ key: KEY, credits: 1e9, requestsPerMinute: 1e9, concurrency: 1e6 }],
	});
	await emulator.start();
	const runtime = realRuntime(KEY, SCALE);
	const rows: string[][] = [];
	let ok = true;
	try {
		for (const nominal of [30, 120, 300]) {
			// Durations vary ±10% around the nominal, the same set for both strategies.
			const durations = Array.from({ length: REPS }, (_, i) => Math.round(nominal * (0.9 + (0.2 * i) / (REPS - 1))));
			const runs = [true, false].flatMap((progress) =>
				(['poller', 'schedule'] as const).map(async (strategy) => ({
					progress,
					strategy,
					samples: await Promise.all(durations.map((s) => measure(emulator, runtime, strategy, s, progress))),
				})),
			);
			const results = await Promise.all(runs);
			for (const progress of [true, false]) {
				const poller = results.find((r) => r.progress === progress && r.strategy === 'poller')!.samples;
				const schedule = results.find((r) => r.progress === progress && r.strategy === 'schedule')!.samples;
				const pollerRequests = median(poller.map((s) => s.requests));
				const scheduleRequests = median(schedule.map((s) => s.requests));
				const ratio = scheduleRequests / pollerRequests;
				const latency = median(schedule.map((s) => s.latencyMs)) / 1000;
				const [maxRatio, maxLatency] = progress ? [0.15, 1] : [0.35, 2.5];
				const met = ratio <= maxRatio && latency <= maxLatency;
				ok &&= met;
				rows.push([
					`${nominal} s`,
					progress ? 'yes' : 'no',
					String(pollerRequests),
					String(scheduleRequests),
					`${ratio.toFixed(3)}×`,
					`${(median(poller.map((s) => s.latencyMs)) / 1000).toFixed(2)} s`,
					`${latency.toFixed(2)} s`,
					`≤ ${maxRatio}× at ≤ ${maxLatency} s`,
					met ? 'met' : 'MISSED',
				]);
			}
		}
	} finally {
		await emulator.stop();
	}
	console.log(
		`\nWait schedule vs fixed 1 s poller (emulator time scale ${SCALE}×, ${REPS} jobs per cell, durations ±10%; medians, unscaled time)`,
	);
	console.log(
		table(
			['job', 'progress', 'poller req', 'schedule req', 'ratio', 'poller latency', 'schedule latency', 'target', ''],
			rows,
		),
	);
	return ok;
}
