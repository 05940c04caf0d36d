/**
 * What a crash in n8n's queue mode costs, shape by shape, on one n8n line: Redis, Postgres, a
 * main process and two workers (scripts/queue-rig.ts), 10 videos of 20 s against the emulator
 * on the real clock. Each scenario kills a process as an out-of-memory kill or a deploy does
 * (SIGKILL), then does what a user does next, and asserts on what the user sees (execution
 * statuses, items) and on what Clipia charged.
 *
 * The rig notices a dead worker within about 15 s (lock 10 s, stall check every 5 s) instead of
 * n8n's default 60 to 90 s; n8n's handling after that is its own.
 */

import { DEMO_KEYS } from '../../emulator/server';
import type { WorkerProcess } from '../../scripts/queue-rig';
import { generateVideoNode, until, useQueueRig, webhookWorkflow, type Item } from '../helpers/n8n-server';

const VIDEOS = 10;
/** The Idempotency Key of each item: here the prompt is the job (a row id and a date in real use). */
const JOB_KEY = '={{ $json["body.prompts"] }}';

const keyed = (node: ReturnType<typeof generateVideoNode>) => ({
	...node,
	parameters: { ...node.parameters, options: { ...node.parameters.options, idempotencyKey: JOB_KEY } },
});

const WORKFLOWS = [
	// One node submits and waits (Poll), with an Idempotency Key.
	webhookWorkflow('clipiaCrashPoll', 'crash-poll', keyed(generateVideoNode('poll', 'urls', 900))),
	// The recipe: submit, then Clipia Wait Generation, each node's output saved as it ends.
	{
		...webhookWorkflow(
			'clipiaCrashRecipe',
			'crash-recipe',
			{
				type: 'n8n-nodes-clipia.clipiaGenerateVideo',
				typeVersion: 1,
				parameters: {
					prompt: '={{ $json["body.prompts"] }}',
					waitForCompletion: false,
					options: { idempotencyKey: JOB_KEY, maxConcurrency: 10 },
				},
			},
			{
				type: 'n8n-nodes-clipia.clipiaWaitGeneration',
				typeVersion: 1,
				parameters: { requestId: '={{ $json.request_id }}', output: 'urls', maxWaitSeconds: 900 },
			},
		),
		settings: { executionOrder: 'v1', saveExecutionProgress: true },
	},
	// One node, parked until Clipia's webhook: no worker holds it while the videos render.
	webhookWorkflow('clipiaCrashWebhook', 'crash-webhook', generateVideoNode('webhook', 'urls', 900)),
];

export function crashSuite(line: string): void {
	const queue = useQueueRig(
		{
			line,
			workers: 2,
			workflows: WORKFLOWS,
			emulator: { timeScale: 1, runSeconds: { image: 8, video: 20 }, wallClockHeaders: true },
			env: {
				QUEUE_WORKER_LOCK_DURATION: '10000',
				QUEUE_WORKER_LOCK_RENEW_TIME: '2000',
				QUEUE_WORKER_STALLED_INTERVAL: '5000',
			},
		},
		`Crashes in queue mode (n8n ${line}, main + 2 workers, ${VIDEOS} videos of 20 s)`,
	);

	let batch = 0;
	/** Prompts no earlier scenario used (an Idempotency Key is the prompt here). */
	const prompts = () => {
		batch += 1;
		return Array.from({ length: VIDEOS }, (_, n) => `crash batch ${batch} clip ${n + 1}`);
	};
	const charged = () => queue.rig.emulator.stats(DEMO_KEYS.live).jobs;
	const live = () =>
		queue.rig.workers.filter((worker) => worker.process.exitCode === null && !worker.process.signalCode);

	/** Waits until `count` more generations were charged than `before`. */
	async function chargedUntil(before: number, count: number): Promise<void> {
		await until(
			async () => charged() - before,
			(more) => more >= count,
			60_000,
		);
		expect(charged() - before).toBe(count);
	}

	/** Kills the worker that runs execution `id`; another starts, so the rig has two again for what follows. */
	async function killWorkerOf(id: string): Promise<WorkerProcess> {
		const worker = await until(
			async () => queue.rig.workerRunning(id),
			(found) => found !== undefined,
			30_000,
		);
		expect(worker).toBeDefined();
		worker!.process.kill('SIGKILL');
		return worker!;
	}

	async function topUpWorkers(): Promise<void> {
		while (live().length < 2) await queue.rig.startWorker(`worker ${queue.rig.workers.length + 1}`);
	}

	const completed = (items: Item[]) => items.filter((item) => item.json.status === 'COMPLETED').length;
	const ids = (items: Item[]) => items.map((item) => String(item.json.request_id));

	/**
	 * n8n's part, the same for every form that holds a worker: the survivor finds the dead
	 * worker's job stalled, and n8n saves the execution as failed with its data emptied; a
	 * Retry copies that emptied data and runs no node. Returns what the user saw.
	 */
	async function n8nAfterAWorkerDied(id: string, node: string): Promise<{ seen: string[]; retry: string[] }> {
		const seen = await queue.n8n.statusesUntilDone(id, 240_000);
		// The Executions list may first show "crashed"; then n8n's stall handling writes the failure over it.
		const failed = await until(
			() => queue.n8n.statusesUntilDone(id, 0),
			(statuses) => statuses.some((status) => status.includes('failed to be processed too many times')),
			120_000,
		);
		if (seen.at(-1) !== failed.at(-1)) seen.push(...failed);
		expect(seen.at(-1)).toMatch(/failed to be processed too many times/);
		expect(await queue.n8n.itemsOf(id, node)).toEqual([]);
		const retried = await queue.n8n.retry(id);
		const retry = await queue.n8n.statusesUntilDone(retried, 120_000);
		expect(retry).toContain('error');
		expect((await queue.n8n.nodesRun(retried)).filter((name) => name.startsWith('Clipia'))).toEqual([]);
		return { seen: seen.map(short), retry: retry.map(short) };
	}

	/** What a user does after n8n emptied the execution: runs the same items again; returns what n8n showed. */
	async function runAgain(path: string, workflowId: string, batchPrompts: string[]) {
		const again = await queue.n8n.start(path, workflowId, batchPrompts);
		return { rerun: await queue.n8n.statusesUntilDone(again, 240_000), items: await queue.n8n.itemsOf(again) };
	}

	/** n8n's long sentence for a stalled job, shortened for the figures. */
	const short = (status: string) => status.replace(/\. To allow this execution.*$/, '.');

	it('one worker of two dies while one node polls: n8n empties the execution and Retry runs nothing; running the same items again (Idempotency Key) gets the paid videos, charged once', async () => {
		const before = charged();
		const batchPrompts = prompts();
		const id = await queue.n8n.start('crash-poll', 'clipiaCrashPoll', batchPrompts);
		await chargedUntil(before, VIDEOS);
		const dead = await killWorkerOf(id);
		const { seen, retry } = await n8nAfterAWorkerDied(id, 'Clipia');
		await topUpWorkers();

		const { rerun, items } = await runAgain('crash-poll', 'clipiaCrashPoll', batchPrompts);
		queue.figures.push(
			`- one worker of two killed while one node polled (${dead.name}): ${seen.join(' → ')}; n8n's Retry: ${retry.join(' → ')}, no node run; ` +
				`the same items run again: ${rerun.join(' → ')} with ${completed(items)} videos; ${charged() - before} generations charged for ${VIDEOS} items`,
		);
		expect(rerun.at(-1)).toBe('success');
		expect(completed(items)).toBe(VIDEOS);
		expect(charged() - before).toBe(VIDEOS);
		expect(new Set(ids(items)).size).toBe(VIDEOS);
	}, 900_000);

	it('the recipe (submit, then Wait Generation, progress saved): one worker of two dies while waiting; n8n empties the saved request_ids too; running again re-attaches, charged once', async () => {
		const before = charged();
		const batchPrompts = prompts();
		const id = await queue.n8n.start('crash-recipe', 'clipiaCrashRecipe', batchPrompts);
		const submitted = await until(
			() => queue.n8n.itemsOf(id, 'Clipia Submit'),
			(items) => items.length === VIDEOS,
			60_000,
		);
		const dead = await killWorkerOf(id);
		const { seen, retry } = await n8nAfterAWorkerDied(id, 'Clipia Submit');
		await topUpWorkers();

		const { rerun, items } = await runAgain('crash-recipe', 'clipiaCrashRecipe', batchPrompts);
		queue.figures.push(
			`- the recipe, one worker of two killed while Wait Generation polled (${dead.name}): ${seen.join(' → ')}, the saved request_ids gone; n8n's Retry: ${retry.join(' → ')}; ` +
				`the same items run again: ${rerun.join(' → ')} with ${completed(items)} videos; ${charged() - before} generations charged for ${VIDEOS} items`,
		);
		expect(rerun.at(-1)).toBe('success');
		expect(ids(items)).toEqual(ids(submitted));
		expect(completed(items)).toBe(VIDEOS);
		expect(charged() - before).toBe(VIDEOS);
	}, 900_000);

	it('Wait Mode "Resume on Clipia Webhook": the worker that parked the batch dies; nothing is lost, Clipia\'s webhook resumes it on the other', async () => {
		const before = charged();
		const id = await queue.n8n.start('crash-webhook', 'clipiaCrashWebhook', prompts());
		expect(await queue.n8n.reaches(id, 'waiting', 60_000)).toBe('waiting');
		const dead = await killWorkerOf(id);
		const seen = await queue.n8n.statusesUntilDone(id, 240_000);
		const items = await queue.n8n.itemsOf(id);
		await topUpWorkers();
		queue.figures.push(
			`- webhook wait, the worker that parked the batch killed (${dead.name}): ${seen.join(' → ')} with ${completed(items)} videos; ${charged() - before} generations charged for ${VIDEOS} items`,
		);
		expect(seen.at(-1)).toBe('success');
		expect(completed(items)).toBe(VIDEOS);
		expect(charged() - before).toBe(VIDEOS);
	}, 600_000);

	it('every worker dies while one node polls: the same as one of two (emptied, Retry runs nothing); running the same items again gets the paid videos, charged once', async () => {
		const before = charged();
		const batchPrompts = prompts();
		const id = await queue.n8n.start('crash-poll', 'clipiaCrashPoll', batchPrompts);
		await chargedUntil(before, VIDEOS);
		for (const worker of live()) worker.process.kill('SIGKILL');
		await queue.rig.startWorker(`worker ${queue.rig.workers.length + 1}`);
		const { seen, retry } = await n8nAfterAWorkerDied(id, 'Clipia');
		await topUpWorkers();

		const { rerun, items } = await runAgain('crash-poll', 'clipiaCrashPoll', batchPrompts);
		queue.figures.push(
			`- every worker killed while one node polled: ${seen.join(' → ')}; n8n's Retry: ${retry.join(' → ')}; ` +
				`the same items run again: ${rerun.join(' → ')} with ${completed(items)} videos; ${charged() - before} generations charged for ${VIDEOS} items`,
		);
		expect(rerun.at(-1)).toBe('success');
		expect(completed(items)).toBe(VIDEOS);
		expect(charged() - before).toBe(VIDEOS);
	}, 900_000);

	it('the main process dies and restarts while a worker polls: the worker finishes the execution; nothing is lost', async () => {
		const before = charged();
		const id = await queue.n8n.start('crash-poll', 'clipiaCrashPoll', prompts());
		await chargedUntil(before, VIDEOS);
		await queue.rig.restartMain();
		const seen = await queue.n8n.statusesUntilDone(id, 240_000);
		const items = await queue.n8n.itemsOf(id);
		queue.figures.push(
			`- the main process killed and restarted while a worker polled: ${seen.join(' → ')} with ${completed(items)} videos; ${charged() - before} generations charged for ${VIDEOS} items`,
		);
		expect(seen.at(-1)).toBe('success');
		expect(completed(items)).toBe(VIDEOS);
		expect(charged() - before).toBe(VIDEOS);
	}, 600_000);
}
