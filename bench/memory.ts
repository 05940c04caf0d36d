/**
 * Memory: one 1 GiB video into n8n binary data (filesystem mode) through the real node.
 * The node runs in a child process; the emulator serving the file runs here, so only the
 * node's memory is measured. Target: peak RSS growth ≤ 64 MB.
 */

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ClipiaEmulator } from '../emulator/server';
import { table } from './report';

const GIB = 1024 ** 3;
const TARGET_MB = 64;

export async function benchMemory(): Promise<boolean> {
	const emulator = new ClipiaEmulator({
		timeScale: 50,
		runSeconds: { video: 10, image: 5 },
		videoBytes: GIB,
		wallClockHeaders: true,
	});
	await emulator.start();
	const key = 'clipia_live_bench_memory';
	emulator.addKey({ key, credits: 10_000 });
	try {
		const child = path.join(__dirname, 'memory-child.ts');
		const { stdout } = await promisify(execFile)(
			process.execPath,
			['--expose-gc', '-r', 'ts-node/register/transpile-only', child],
			{
				env: { ...process.env, CLIPIA_BENCH_URL: emulator.url, CLIPIA_BENCH_KEY: key },
				maxBuffer: 1024 * 1024,
			},
		);
		const result = JSON.parse(stdout.trim().split('\n').pop()!) as {
			baseline: number;
			peak: number;
			bytes: number;
			mimeType?: string;
			seconds: number;
			error?: string;
		};
		const growthMb = (result.peak - result.baseline) / 1024 ** 2;
		console.log('\n## Memory: a 1 GiB video to binary output (filesystem mode), real node in n8n-core\n');
		console.log(
			table(
				['file on disk', 'MIME', 'RSS before', 'peak RSS', 'growth', 'file / growth', 'time'],
				[
					[
						`${(result.bytes / GIB).toFixed(3)} GiB`,
						String(result.mimeType),
						`${(result.baseline / 1024 ** 2).toFixed(0)} MB`,
						`${(result.peak / 1024 ** 2).toFixed(0)} MB`,
						`${growthMb.toFixed(1)} MB`,
						`${(result.bytes / Math.max(1, result.peak - result.baseline)).toFixed(0)}×`,
						`${result.seconds.toFixed(1)} s`,
					],
				],
			),
		);
		const met = !result.error && result.bytes === GIB && growthMb <= TARGET_MB;
		console.log(
			`\nTarget: the whole file on disk, peak RSS growth ≤ ${TARGET_MB} MB: ${met ? 'met' : 'MISSED'}${result.error ? ` (${result.error})` : ''}`,
		);
		return met;
	} finally {
		await emulator.stop();
	}
}
