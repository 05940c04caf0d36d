/**
 * Batch: 100 Clipia Generate Video items with Wait for Completion, run by the real node
 * inside n8n-core's engine, against an emulator that limits the key to 10 generations at
 * once and 120 requests per minute (time-scaled). Makespan against the bound those limits
 * set (10 rounds of one generation each), and against the same items one at a time
 * (measured on a sample, projected to 100). All times in model (unscaled) seconds.
 */

import { ClipiaEmulator } from '../emulator/server';
import { table } from './report';
import { runVideoBatch } from './video-batch';

const SCALE = 10;
const ITEMS = 100;
const CONCURRENCY = 10;
const RPM = 120;
const VIDEO_SECONDS = 120;
const SERIAL_SAMPLE = 4;
const TARGET = 1.1;

async function batch(emulator: ClipiaEmulator, key: string, count: number, maxConcurrency: number) {
	const run = await runVideoBatch(emulator, key, count, {
		maxConcurrency,
		concurrency: CONCURRENCY,
		requestsPerMinute: RPM,
	});
	return {
		makespanS: run.wallSeconds * SCALE,
		completed: run.completed,
		failed: count - run.completed,
		stats: run.stats,
		extraCharge: run.extraCharge,
		ordered: run.items.every((item, index) => (item.pairedItem as { item: number }).item === index),
	};
}

export async function benchN8nBatch(): Promise<boolean> {
	const emulator = new ClipiaEmulator({
		timeScale: SCALE,
		runSeconds: { video: VIDEO_SECONDS },
		wallClockHeaders: true,
		videoBytes: 64 * 1024,
	});
	await emulator.start();
	try {
		const together = await batch(emulator, 'clipia_live_bench_batch', ITEMS, CONCURRENCY);
		const serial = await batch(emulator, 'clipia_live_bench_serial', SERIAL_SAMPLE, 1);
		const dispatchS = emulator.options.dispatchMs / 1000;
		const rounds = Math.ceil(ITEMS / CONCURRENCY);
		// The limits' bound: 10 at a time → 10 rounds of (queue dispatch + generation);
		// 120 rpm → the requests needed (one submit each, at least one look at the end) / rate.
		const bound = Math.max(rounds * (dispatchS + VIDEO_SECONDS), ((ITEMS * 2) / RPM) * 60);
		const serialProjected = (serial.makespanS / SERIAL_SAMPLE) * ITEMS;
		const ratio = together.makespanS / bound;
		console.log(
			`\n## n8n batch: ${ITEMS} Generate Video items, waitForCompletion, key limits ${CONCURRENCY} concurrent / ${RPM} rpm (emulator ${SCALE}× time, model seconds)\n`,
		);
		console.log(
			table(
				['run', 'makespan', 'vs bound', 'completed', 'failed', 'API requests', '429s', 'extra charge', 'order kept'],
				[
					['bound set by the limits', `${bound.toFixed(0)} s`, '1.00×', '', '', '', '', '', ''],
					[
						`node, maxConcurrency ${CONCURRENCY}`,
						`${together.makespanS.toFixed(0)} s`,
						`${ratio.toFixed(3)}×`,
						String(together.completed),
						String(together.failed),
						String(together.stats.requests),
						String(together.stats.rateLimited),
						String(together.extraCharge),
						String(together.ordered),
					],
					[
						`one at a time (${SERIAL_SAMPLE} measured, ×${ITEMS / SERIAL_SAMPLE})`,
						`${serialProjected.toFixed(0)} s`,
						`${(serialProjected / bound).toFixed(2)}×`,
						String(serial.completed),
						String(serial.failed),
						String(serial.stats.requests),
						String(serial.stats.rateLimited),
						String(serial.extraCharge),
						String(serial.ordered),
					],
				],
			),
		);
		const met = ratio <= TARGET && together.failed === 0 && together.extraCharge === 0 && together.ordered;
		console.log(
			`\nTarget ≤ ${TARGET}× the bound, 0 failed, 0 extra charges: ${met ? 'met' : 'MISSED'} (${(serialProjected / together.makespanS).toFixed(1)}× faster than one at a time)`,
		);
		return met;
	} finally {
		await emulator.stop();
	}
}
