/**
 * Executions side by side on one key, on the real clock: 4 executions × 25 images (Max
 * Concurrency 5 each: 20 wanted at once) against a key limited to 10 generations at once and
 * 120 requests per minute, run by the real node inside one n8n-core process. Beside them,
 * the same 100 images as one execution (Max Concurrency 10). The bound is what the limits
 * allow: 10 at a time, and at least two requests (a submit and a look) per image.
 */

import { ClipiaEmulator } from '../emulator/server';
import { NODE_TYPES, runNode } from '../test/n8n/harness';
import { table } from './report';

const IMAGE_SECONDS = 8;
const CONCURRENCY = 10;
const RPM = 120;
const TARGET = 1.2;

async function images(
	emulator: ClipiaEmulator,
	key: string,
	executions: number,
	perExecution: number,
	maxConcurrency: number,
) {
	emulator.addKey({ key, credits: 1_000_000, concurrency: CONCURRENCY, requestsPerMinute: RPM });
	const started = Date.now();
	const runs = await Promise.all(
		Array.from({ length: executions }, (_, execution) =>
			runNode({
				type: NODE_TYPES.image,
				credentials: { apiKey: key, baseUrl: emulator.url },
				input: Array.from({ length: perExecution }, (_, index) => ({
					json: { prompt: `execution ${execution} image ${index}` },
				})),
				parameters: { prompt: '={{ $json.prompt }}', output: 'urls', options: { maxConcurrency } },
				continueOnFail: true,
			}),
		),
	);
	const makespanS = (Date.now() - started) / 1000;
	const items = runs.flatMap((run) => run.items);
	const stats = emulator.stats(key);
	const paid = items.reduce((sum, item) => sum + Number(item.json.cost_credits ?? 0), 0);
	return {
		makespanS,
		completed: items.filter((item) => item.json.status === 'COMPLETED').length,
		requests: stats.requests,
		rateLimited: stats.rateLimited,
		extraCharge: stats.charged - paid,
	};
}

export async function benchExecutions(): Promise<boolean> {
	const emulator = new ClipiaEmulator({ timeScale: 1, runSeconds: { image: IMAGE_SECONDS } });
	await emulator.start();
	try {
		const [side, single] = await Promise.all([
			images(emulator, 'clipia_live_bench_four_executions', 4, 25, 5),
			images(emulator, 'clipia_live_bench_one_execution', 1, 100, 10),
		]);
		const total = 100;
		const dispatchS = emulator.options.dispatchMs / 1000;
		const bound = Math.max(Math.ceil(total / CONCURRENCY) * (dispatchS + IMAGE_SECONDS), ((total * 2) / RPM) * 60);
		console.log(
			`\n## Executions side by side on one key (real clock): ${total} images, key limits ${CONCURRENCY} concurrent / ${RPM} rpm\n`,
		);
		const row = (name: string, run: Awaited<ReturnType<typeof images>>) => [
			name,
			`${run.makespanS.toFixed(1)} s`,
			`${(run.makespanS / bound).toFixed(2)}×`,
			`${run.completed}/${total}`,
			`${run.requests} (${(run.requests / total).toFixed(1)}/image)`,
			String(run.rateLimited),
			String(run.extraCharge),
		];
		console.log(
			table(
				['run', 'makespan', 'vs bound', 'completed', 'API requests', '429s', 'extra charge'],
				[
					['bound set by the limits', `${bound.toFixed(1)} s`, '1.00×', '', '', '', ''],
					row('4 executions × 25 (Max Concurrency 5 each)', side),
					row('1 execution × 100 (Max Concurrency 10)', single),
				],
			),
		);
		const met = side.makespanS / bound <= TARGET && side.completed === total && side.extraCharge === 0;
		console.log(
			`\nTarget for the side-by-side run: ≤ ${TARGET}× the bound, all completed, 0 extra charges: ${met ? 'met' : 'MISSED'}`,
		);
		return met;
	} finally {
		await emulator.stop();
	}
}
