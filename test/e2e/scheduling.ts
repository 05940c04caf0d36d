/**
 * The scheduling layer in a real n8n server, one suite per n8n line: what a key's state in
 * the n8n process does across executions. An execution stopped from n8n while its submits
 * wait for a full, paused key leaves nothing held: the next execution on the key in the
 * same process runs. A batch mixing 5 s and 10 s videos of one model, with items submitted
 * while the first wave measures its run time, completes every item within Max Wait.
 */

import {
	generateVideoNode,
	until,
	useN8nServer,
	webhookWorkflow,
	type Item,
	type N8nServer,
} from '../helpers/n8n-server';

/** Emulator run time from the prompt (model seconds; the emulator runs 10× faster than the wall clock). */
const runFor = (modelSeconds: number) => `[emulator:seconds=${modelSeconds}]`;

const WORKFLOWS = [
	webhookWorkflow(
		'clipiaScheduling1',
		'clipia-scheduling-full-key',
		generateVideoNode('poll', 'urls', 120, { maxConcurrency: 20 }),
	),
	webhookWorkflow('clipiaScheduling2', 'clipia-scheduling-mixed', {
		...generateVideoNode('poll', 'urls', 40, { maxConcurrency: 3 }),
		parameters: {
			...generateVideoNode('poll', 'urls', 40, { maxConcurrency: 3 }).parameters,
			duration: '={{ $json["body.prompts"].includes("10 s") ? 10 : 5 }}',
		},
	}),
];

export function schedulingSuite(line: string): void {
	const server = useN8nServer(line, 10, WORKFLOWS);
	let n8n: N8nServer;
	beforeEach(() => (n8n = server()));

	it('an execution stopped while its submits wait for a full, paused key: the next execution on the key runs normally', async () => {
		const { emulator } = n8n;
		const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
		// Ten generations fill the key (one ends after 3 s, the others after 60 s). Past the key's
		// likely limit submits go one at a time: the eleventh is refused "too many at once" alone,
		// and the two left wait their turn, until the quick one has ended.
		const prompts = [
			`quick one ${runFor(30)}`,
			...Array.from({ length: 11 }, (_, n) => `long one ${n + 1} ${runFor(600)}`),
		];
		// The first look meets an exhausted minute: every request on the key pauses for 60 s. The
		// refused submit that tries again meanwhile holds the key's one turn while it waits for the budget.
		emulator.inject({
			method: 'GET',
			path: '/v1/requests/',
			times: 1,
			action: {
				type: 'status',
				status: 429,
				retryAfter: '60',
				headers: { 'RateLimit-Limit': '120', 'RateLimit-Remaining': '0', 'RateLimit-Reset': '60' },
			},
		});
		const before = emulator.log.length;
		const started = Date.now();
		const stopped = await n8n.start('clipia-scheduling-full-key', 'clipiaScheduling1', prompts);
		const submitted = async () => emulator.log.slice(before).filter((entry) => entry.route === 'submit').length;
		await until(submitted, (count) => count >= 11, 30_000);
		await new Promise((resolve) => setTimeout(resolve, 2_000));
		expect(await submitted()).toBe(11);
		// Stopped from n8n while its waiting submit is in line for the paused budget.
		await sleepUntil(started + 40_000);
		await n8n.rest(`/executions/${stopped}/stop`, {});
		expect(await n8n.reaches(stopped, 'canceled', 30_000)).toBe('canceled');
		// Once the pause is over and the key has room again, a new execution on it in this process.
		await sleepUntil(started + 75_000);
		const nextStarted = Date.now();
		const next = await n8n.start('clipia-scheduling-full-key', 'clipiaScheduling1', [
			`after the stop 1 ${runFor(50)}`,
			`after the stop 2 ${runFor(50)}`,
		]);
		const statuses = await n8n.statusesUntilDone(next, 120_000);
		expect(statuses.at(-1)).toBe('success');
		const items: Item[] = await n8n.itemsOf(next);
		expect(items.map((item) => item.json.status)).toEqual(['COMPLETED', 'COMPLETED']);
		// 5 s of run time at 10×, plus the looks: not a wait for a turn nobody gives back.
		expect(Date.now() - nextStarted).toBeLessThan(30_000);
	}, 240_000);

	it('5 s and 10 s videos of one model, submitted while the first wave measures: every item completes within Max Wait', async () => {
		const prompts = Array.from({ length: 8 }, (_, n) =>
			n % 2 === 0 ? `clip ${n + 1} 5 s ${runFor(70)}` : `clip ${n + 1} 10 s ${runFor(140)}`,
		);
		const started = Date.now();
		const id = await n8n.start('clipia-scheduling-mixed', 'clipiaScheduling2', prompts);
		const statuses = await n8n.statusesUntilDone(id, 120_000);
		expect(statuses.at(-1)).toBe('success');
		const items = await n8n.itemsOf(id);
		expect(items).toHaveLength(8);
		expect(items.map((item) => item.json.status)).toEqual(Array(8).fill('COMPLETED'));
		// Three at a time: about three rounds of 7–14 s, well within the 40 s Max Wait of each item.
		expect(Date.now() - started).toBeLessThan(80_000);
	}, 180_000);
}
