/**
 * One batch of Clipia Generate Video items with Wait for Completion, run by the real node
 * inside n8n-core's engine on a fresh key with the given limits; what the benches read off it.
 */

import type { ClipiaEmulator, RefusalPolicy } from '../emulator/server';
import { NODE_TYPES, runNode } from '../test/n8n/harness';

export async function runVideoBatch(
	emulator: ClipiaEmulator,
	key: string,
	count: number,
	options: { maxConcurrency: number; concurrency: number; requestsPerMinute: number; refusals?: RefusalPolicy },
) {
	emulator.addKey({
		key,
		credits: 1_000_000,
		concurrency: options.concurrency,
		requestsPerMinute: options.requestsPerMinute,
		refusals: options.refusals,
	});
	const started = Date.now();
	const run = await runNode({
		type: NODE_TYPES.video,
		credentials: { apiKey: key, baseUrl: emulator.url },
		input: Array.from({ length: count }, (_, index) => ({ json: { prompt: `scene ${index}` } })),
		parameters: {
			prompt: '={{ $json.prompt }}',
			waitForCompletion: true,
			output: 'urls',
			options: { maxConcurrency: options.maxConcurrency, maxWaitSeconds: 3600 },
		},
		continueOnFail: true,
	});
	const wallSeconds = (Date.now() - started) / 1000;
	const stats = emulator.stats(key);
	const paid = run.items.reduce((sum, item) => sum + Number(item.json.cost_credits ?? 0), 0);
	return {
		items: run.items,
		wallSeconds,
		completed: run.items.filter((item) => item.json.status === 'COMPLETED').length,
		stats,
		extraCharge: stats.charged - paid,
	};
}
