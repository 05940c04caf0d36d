/**
 * Waiting for a batch of videos, three ways side by side in one run on the real clock (the
 * emulator at time scale 1): Wait Mode "Resume on Clipia Webhook" and "Poll" in a real n8n
 * server (the newest line), and a poller asking every second, as Clipia's SDKs do. For each:
 * API requests per video, and how long after the last video ended the run went on.
 */

import { DEMO_KEYS } from '../emulator/server';
import { NEWEST_LINE } from '../scripts/n8n-runtime';
import { generateVideoNode, N8nServer, webhookWorkflow } from '../test/helpers/n8n-server';
import { median, table } from './report';

const VIDEOS = 10;
const VIDEO_SECONDS = 30;
const MAX_REQUESTS_PER_VIDEO = 1.2;
/** The fewest requests a generation can take: its submit, plus one read when nothing tells of its end. */
const FLOOR = { webhook: 1, poll: 2 } as const;
/** n8n's own resume (loading the parked execution, running the rest) takes about 2 s of it. */
const MAX_LAG_SECONDS = 3;

const WORKFLOWS = [
	webhookWorkflow('clipiaBenchWebhook', 'bench-webhook', generateVideoNode('webhook', 'urls', 900)),
	webhookWorkflow('clipiaBenchPoll', 'bench-poll', generateVideoNode('poll', 'urls', 900)),
];

interface Row {
	how: string;
	/** Requests per video no waiting of this kind can go below. */
	floor: number;
	requests: number;
	/** Answers 429 (over the key's 120 requests per minute). */
	rateLimited: number;
	/** Seconds from the last video's end until the run went on. */
	lag: number;
	/** Seconds the run took in all. */
	makespan: number;
}

const prompts = (tag: string) =>
	Array.from({ length: VIDEOS }, (_, n) => `${tag} ${n + 1}: waves at sunset [emulator:seconds=${VIDEO_SECONDS}]`);

async function inN8n(n8n: N8nServer, how: 'webhook' | 'poll'): Promise<Row> {
	const before = { ...n8n.emulator.stats(DEMO_KEYS.live) };
	const started = Date.now();
	const id = await n8n.start(
		`bench-${how}`,
		how === 'webhook' ? 'clipiaBenchWebhook' : 'clipiaBenchPoll',
		prompts(how),
	);
	const seen = await n8n.statusesUntilDone(id, 900_000);
	if (seen.at(-1) !== 'success') throw new Error(`the ${how} run ended ${seen.join(' → ')}`);
	if (how === 'webhook' && !seen.includes('waiting')) throw new Error('the webhook run was never parked');
	const execution = await n8n.execution(id);
	const ids = (await n8n.itemsOf(id)).map((item) => String(item.json.request_id));
	const lastEnd = Math.max(...ids.map((requestId) => n8n.emulator.jobInfo(requestId)!.endAt!));
	const stopped = Date.parse(execution.stoppedAt!);
	return {
		how: how === 'webhook' ? 'n8n, Resume on Clipia Webhook' : 'n8n, Poll',
		floor: FLOOR[how],
		requests: n8n.emulator.stats(DEMO_KEYS.live).requests - before.requests,
		rateLimited: n8n.emulator.stats(DEMO_KEYS.live).rateLimited - before.rateLimited,
		lag: (stopped - lastEnd) / 1000,
		makespan: (stopped - started) / 1000,
	};
}

/** What Clipia's SDKs do: submit, then ask each generation's status every second, then read the result. */
async function everySecond(n8n: N8nServer): Promise<Row> {
	const key = 'clipia_live_bench_every_second';
	n8n.emulator.addKey({ key, credits: 1_000_000 });
	const api = (path: string, init: RequestInit = {}) =>
		fetch(`${n8n.emulator.url}/v1${path}`, {
			...init,
			headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
		}).then((response) => response.json() as Promise<Record<string, unknown>>);
	const started = Date.now();
	const ids = await Promise.all(
		prompts('poller').map(async (prompt) =>
			String(
				(await api('/models/seedance-2-fast-t2v', { method: 'POST', body: JSON.stringify({ input: { prompt } }) }))
					.request_id,
			),
		),
	);
	const done = new Map<string, number>();
	while (done.size < ids.length) {
		await new Promise((resolve) => setTimeout(resolve, 1000));
		await Promise.all(
			ids
				.filter((id) => !done.has(id))
				.map(async (id) => {
					const status = String((await api(`/requests/${id}/status`)).status);
					if (['COMPLETED', 'FAILED', 'CANCELED'].includes(status)) {
						await api(`/requests/${id}`);
						done.set(id, Date.now());
					}
				}),
		);
	}
	const lastEnd = Math.max(...ids.map((id) => n8n.emulator.jobInfo(id)!.endAt!));
	const finished = Math.max(...done.values());
	return {
		how: 'poller, every 1 s',
		floor: FLOOR.poll,
		requests: n8n.emulator.stats(key).requests,
		rateLimited: n8n.emulator.stats(key).rateLimited,
		lag: (finished - lastEnd) / 1000,
		makespan: (finished - started) / 1000,
	};
}

export async function benchWebhookWait(): Promise<boolean> {
	console.log(
		`\n## Waiting for ${VIDEOS} videos of ${VIDEO_SECONDS} s: webhook, poll, and a 1 s poller (real clock, n8n ${NEWEST_LINE})\n`,
	);
	const n8n = await N8nServer.start(NEWEST_LINE, 1, WORKFLOWS);
	const rows: Row[] = [];
	try {
		rows.push(await inN8n(n8n, 'webhook'), await inN8n(n8n, 'poll'), await everySecond(n8n));
	} finally {
		await n8n.stop();
	}
	const poller = rows[2];
	console.log(
		table(
			[
				'how',
				'API requests',
				'per video',
				'floor',
				'vs 1 s poller',
				'429s',
				'went on after the last video ended',
				'makespan',
			],
			rows.map((row) => [
				row.how,
				String(row.requests),
				(row.requests / VIDEOS).toFixed(2),
				String(row.floor),
				`${(row.requests / poller.requests).toFixed(3)}×`,
				String(row.rateLimited),
				`${row.lag.toFixed(2)} s`,
				`${row.makespan.toFixed(1)} s`,
			]),
		),
	);
	const webhook = rows[0];
	const ok = webhook.requests / VIDEOS <= MAX_REQUESTS_PER_VIDEO && webhook.lag <= MAX_LAG_SECONDS;
	console.log(
		`\nTargets: webhook ≤ ${MAX_REQUESTS_PER_VIDEO} requests per video (${(webhook.requests / VIDEOS).toFixed(2)}), ` +
			`going on ≤ ${MAX_LAG_SECONDS} s after the last video (${webhook.lag.toFixed(2)} s, median of the others ${median(rows.slice(1).map((row) => row.lag)).toFixed(2)} s): ${ok ? 'met' : 'MISSED'}.`,
	);
	return ok;
}
