/**
 * Runs in its own process so its RSS is the node's alone: one Generate Video item with
 * binary output (filesystem mode) against the emulator at CLIPIA_BENCH_URL. Prints JSON.
 */

import { statSync } from 'node:fs';
import { binaryPath, NODE_TYPES, runNode } from '../test/n8n/harness';

async function main(): Promise<void> {
	const credentials = { apiKey: String(process.env.CLIPIA_BENCH_KEY), baseUrl: String(process.env.CLIPIA_BENCH_URL) };
	// Warm-up: the same code paths with a small file (an image), so loading code is not counted.
	await runNode({ type: NODE_TYPES.image, credentials, parameters: { prompt: 'warm-up' } });
	global.gc?.();
	await new Promise((resolve) => setTimeout(resolve, 200));
	const baseline = process.memoryUsage().rss;
	let peak = baseline;
	const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
	const started = Date.now();
	const run = await runNode({
		type: NODE_TYPES.video,
		credentials,
		parameters: {
			prompt: 'one long video',
			waitForCompletion: true,
			output: 'binary',
			options: { maxWaitSeconds: 600 },
		},
	});
	clearInterval(sampler);
	peak = Math.max(peak, process.memoryUsage().rss);
	const binary = run.items[0]?.binary?.data;
	const bytes = binary?.id ? statSync(binaryPath(binary.id)).size : 0;
	process.stdout.write(
		JSON.stringify({
			baseline,
			peak,
			bytes,
			mimeType: binary?.mimeType,
			seconds: (Date.now() - started) / 1000,
			error: run.error?.message,
		}) + '\n',
	);
}

void main().then(() => process.exit(0));
