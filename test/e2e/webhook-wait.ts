/**
 * Wait Mode "Resume on Clipia Webhook" in a real n8n server, one suite per n8n line: the
 * execution parks (n8n lists it as waiting) while the emulator renders, and the emulator's
 * signed webhooks resume it at n8n's own resume URL. Asserts on what a user sees: the
 * execution's status over time, its items, the requests Clipia received, and what n8n
 * answers a forged, stale or repeated delivery.
 */

import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DEMO_KEYS } from '../../emulator/server';
import { LOCAL_OWNER, startLocalN8n, type LocalN8n } from '../../scripts/local-n8n';
import { freePort } from '../../scripts/n8n-runtime';

const CREDENTIAL = { clipiaApi: { id: 'clipiaCredential1', name: 'Clipia account' } };

interface Item {
	json: Record<string, unknown>;
	binary?: Record<string, { mimeType: string; fileName: string }>;
}

/**
 * A workflow started by a production webhook: the request's `prompts` become items, then the
 * Clipia nodes in a row (the last is named "Clipia", an earlier one "Clipia Submit").
 */
function workflow(id: string, path: string, ...clipiaNodes: Array<Record<string, unknown>>): Record<string, unknown> {
	const names = clipiaNodes.map((_, n) => (n === clipiaNodes.length - 1 ? 'Clipia' : 'Clipia Submit'));
	const chain = ['Webhook', 'Prompts', ...names];
	return {
		id,
		name: `Webhook wait test ${id}`,
		nodes: [
			{
				id: `${id}-trigger`,
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `${id}-hook`,
				parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
			},
			{
				id: `${id}-split`,
				name: 'Prompts',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [200, 0],
				parameters: { fieldToSplitOut: 'body.prompts', options: {} },
			},
			...clipiaNodes.map((node, n) => ({
				id: `${id}-clipia-${n}`,
				name: names[n],
				position: [400 + 200 * n, 0],
				credentials: CREDENTIAL,
				...node,
			})),
		],
		connections: Object.fromEntries(
			chain.slice(0, -1).map((from, n) => [from, { main: [[{ node: chain[n + 1], type: 'main', index: 0 }]] }]),
		),
		settings: { executionOrder: 'v1' },
		active: false,
	};
}

function generateVideo(waitMode: 'poll' | 'webhook', output: 'urls' | 'binary', maxWaitSeconds = 600) {
	return {
		type: 'n8n-nodes-clipia.clipiaGenerateVideo',
		typeVersion: 1,
		parameters: {
			prompt: '={{ $json["body.prompts"] ?? $json.prompt ?? $json }}',
			waitForCompletion: true,
			waitMode,
			output,
			options: { maxWaitSeconds, maxConcurrency: 10 },
		},
	};
}

/** Submits at once, telling Clipia to call this execution back (for a Wait Generation node after it). */
const submitVideo = {
	type: 'n8n-nodes-clipia.clipiaGenerateVideo',
	typeVersion: 1,
	parameters: {
		prompt: '={{ $json["body.prompts"] ?? $json.prompt ?? $json }}',
		waitForCompletion: false,
		options: { webhookUrl: '={{ $execution.resumeUrl }}' },
	},
};

const waitGeneration = {
	type: 'n8n-nodes-clipia.clipiaWaitGeneration',
	typeVersion: 1,
	parameters: { requestId: '={{ $json.request_id }}', waitMode: 'webhook', output: 'urls' },
};

const WORKFLOWS = [
	workflow('clipiaWebhookWait1', 'clipia-webhook-batch', generateVideo('webhook', 'urls')),
	workflow('clipiaWebhookWait2', 'clipia-poll-batch', generateVideo('poll', 'urls')),
	workflow('clipiaWebhookWait3', 'clipia-webhook-binary', generateVideo('webhook', 'binary')),
	workflow('clipiaWebhookWait4', 'clipia-webhook-short', generateVideo('webhook', 'urls', 4)),
	workflow('clipiaWebhookWait5', 'clipia-webhook-then-wait', submitVideo, waitGeneration),
];

/** n8n's REST API sends execution data in flatted's format (the package's CommonJS build). */
const { parse } = createRequire(__filename)('flatted') as { parse(text: string): unknown };

export function webhookWaitSuite(line: string): void {
	let local: LocalN8n;
	let folder: string;
	let cookie = '';

	beforeAll(async () => {
		folder = mkdtempSync(join(tmpdir(), 'clipia-webhook-wait-'));
		const workflows = join(folder, 'workflows');
		mkdirSync(workflows);
		for (const flow of WORKFLOWS) writeFileSync(join(workflows, `${String(flow.id)}.json`), JSON.stringify(flow));
		local = await startLocalN8n({
			line,
			port: await freePort(),
			emulatorPort: await freePort(),
			emulatorTimeScale: 10,
			folder: join(folder, 'n8n'),
			workflows: { folder: workflows, publish: WORKFLOWS.map((flow) => String(flow.id)) },
			log: () => undefined,
		});
		const login = await fetch(`${local.url}/rest/login`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', 'browser-id': 'clipia-test' },
			body: JSON.stringify({ emailOrLdapLoginId: LOCAL_OWNER.email, password: LOCAL_OWNER.password }),
		});
		expect(login.status).toBe(200);
		cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
	}, 30 * 60_000);

	afterAll(async () => {
		await local?.stop();
		if (folder) rmSync(folder, { recursive: true, force: true });
	});

	async function rest<T>(path: string): Promise<T> {
		const response = await fetch(`${local.url}/rest${path}`, { headers: { cookie, 'browser-id': 'clipia-test' } });
		if (!response.ok) throw new Error(`GET /rest${path}: HTTP ${response.status} ${await response.text()}`);
		return ((await response.json()) as { data: T }).data;
	}

	interface ExecutionSummary {
		id: string;
		workflowId: string;
		status: string;
	}

	async function latestExecution(workflowId: string): Promise<ExecutionSummary | undefined> {
		const list = await rest<{ results: ExecutionSummary[] }>(
			`/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=5`,
		);
		return list.results.sort((a, b) => Number(b.id) - Number(a.id))[0];
	}

	/** Starts the workflow at its production webhook; returns its execution once n8n lists it. */
	async function start(path: string, workflowId: string, prompts: string[]): Promise<string> {
		const before = (await latestExecution(workflowId))?.id;
		const response = await fetch(`${local.url}/webhook/${path}`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ prompts }),
		});
		expect(response.status).toBe(200);
		const execution = await until(
			() => latestExecution(workflowId),
			(found) => found !== undefined && found.id !== before,
			30_000,
		);
		return execution!.id;
	}

	/** The statuses n8n showed for the execution until it ended; an error names n8n's own words. */
	async function statusesUntilDone(id: string, timeoutMs = 120_000): Promise<string[]> {
		const seen: string[] = [];
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const execution = await rest<{ status: string; data: string }>(`/executions/${id}`);
			const { status } = execution;
			if (seen.at(-1) !== status) seen.push(status);
			if (status === 'error') {
				const error = (parse(execution.data) as { resultData: { error?: { message?: string } } }).resultData.error;
				seen.push(`error: ${error?.message ?? 'unknown'}`);
				return seen;
			}
			if (!['new', 'running', 'waiting'].includes(status) || Date.now() > deadline) return seen;
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
	}

	async function itemsOf(id: string): Promise<Item[]> {
		const execution = await rest<{ data: string }>(`/executions/${id}`);
		const data = parse(execution.data) as {
			resultData: { runData: Record<string, Array<{ data?: { main: Item[][] } }>> };
		};
		return data.resultData.runData.Clipia.at(-1)?.data?.main[0] ?? [];
	}

	const prompts = (count: number, tag: string) =>
		Array.from({ length: count }, (_, n) => `${tag} ${n + 1}: waves at sunset`);

	function signed(body: string, secret: string, at = Math.floor(Date.now() / 1000)) {
		const v1 = createHmac('sha256', secret).update(`${at}.${body}`).digest('hex');
		return { 'Content-Type': 'application/json', 'X-Clipia-Signature': `t=${at},v1=${v1}` };
	}

	it(`parks a 10-video batch until Clipia's webhooks say all ended, with the items Poll mode gives (n8n ${line})`, async () => {
		const stats = () => ({ ...local.emulator!.stats(DEMO_KEYS.live).byRoute });
		const before = stats();
		const id = await start('clipia-webhook-batch', 'clipiaWebhookWait1', prompts(10, 'webhook'));
		const seen = await statusesUntilDone(id);
		expect(seen).toContain('waiting');
		expect(seen.at(-1)).toBe('success');
		const after = stats();
		const used = (route: string) => (after[route] ?? 0) - (before[route] ?? 0);
		const items = await itemsOf(id);
		expect(items).toHaveLength(10);
		for (const item of items) {
			expect(item.json).toMatchObject({ status: 'COMPLETED', output: { video: { url: expect.any(String) } } });
		}
		expect(used('submit')).toBe(10);
		const requests = Object.keys(after).reduce((sum, route) => sum + used(route), 0);
		expect(requests / 10).toBeLessThanOrEqual(2.2);

		// The same batch in Poll mode gives the same items, field for field.
		const poll = await start('clipia-poll-batch', 'clipiaWebhookWait2', prompts(10, 'webhook'));
		expect((await statusesUntilDone(poll)).at(-1)).toBe('success');
		const polled = await itemsOf(poll);
		const shape = (item: Item) => {
			const { request_id: _id, output, ...rest } = item.json as { request_id: string; output: unknown };
			return { ...rest, output: JSON.stringify(output).replace(/[0-9a-f-]{36}/g, '<id>') };
		};
		expect(items.map(shape)).toEqual(polled.map(shape));
	}, 300_000);

	it(`resumes with the MP4s as binary files (n8n ${line})`, async () => {
		const id = await start('clipia-webhook-binary', 'clipiaWebhookWait3', prompts(2, 'binary'));
		expect((await statusesUntilDone(id)).at(-1)).toBe('success');
		const items = await itemsOf(id);
		expect(items).toHaveLength(2);
		for (const item of items) expect(item.binary?.data?.mimeType).toBe('video/mp4');
	}, 180_000);

	it(`Clipia Wait Generation parks for generations submitted with the resume URL, and resumes once they end (n8n ${line})`, async () => {
		const before = { ...local.emulator!.stats(DEMO_KEYS.live).byRoute };
		const id = await start('clipia-webhook-then-wait', 'clipiaWebhookWait5', prompts(3, 'then wait'));
		const seen = await statusesUntilDone(id);
		expect(seen).toContain('waiting');
		expect(seen.at(-1)).toBe('success');
		const items = await itemsOf(id);
		expect(items.map((item) => item.json.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
		const after = local.emulator!.stats(DEMO_KEYS.live).byRoute;
		// A submit, one first look by the Wait node, and one read when the webhooks came: no polling.
		expect((after.result ?? 0) - (before.result ?? 0)).toBeLessThanOrEqual(6);
	}, 180_000);

	it(`refuses forged, altered and stale deliveries with 401; a genuine one while others run resumes nothing (n8n ${line})`, async () => {
		const id = await start('clipia-webhook-batch', 'clipiaWebhookWait1', prompts(2, 'forged [emulator:seconds=200]'));
		await until(
			() => rest<{ status: string }>(`/executions/${id}`),
			(execution) => execution.status === 'waiting',
			30_000,
		);
		// What the parked node shows: each generation's request_id, and the URL Clipia was given.
		const parked = await itemsOf(id);
		const requestId = String(parked[0].json.request_id);
		const resumeUrl = local.emulator!.jobInfo(requestId)!.webhookUrl!;
		expect(resumeUrl).toContain(`/webhook-waiting/${id}`);
		const secret = local.emulator!.options.webhookSecret;
		const body = JSON.stringify({ request_id: requestId, status: 'OK', payload: {} });
		const now = Math.floor(Date.now() / 1000);
		const tries = [
			{ what: 'forged', headers: signed(body, 'not-the-secret'), body },
			{ what: 'altered', headers: signed(body, secret), body: body.replace('"OK"', '"ERROR"') },
			{ what: 'stale', headers: signed(body, secret, now - 330), body },
			{ what: 'from the future', headers: signed(body, secret, now + 330), body },
			{ what: 'unsigned', headers: { 'Content-Type': 'application/json' }, body },
		];
		const answers = [];
		for (const attempt of tries) {
			const response = await fetch(resumeUrl, { method: 'POST', headers: attempt.headers, body: attempt.body });
			answers.push({ what: attempt.what, status: response.status });
		}
		expect(answers).toEqual(tries.map((attempt) => ({ what: attempt.what, status: 401 })));
		// Genuinely signed, twice, while both still render: answered, and nothing resumes.
		for (let n = 0; n < 2; n++) {
			const response = await fetch(resumeUrl, { method: 'POST', headers: signed(body, secret), body });
			expect(response.status).toBe(200);
			expect(await response.json()).toMatchObject({ received: true, resumed: false });
		}
		expect((await rest<{ status: string }>(`/executions/${id}`)).status).toBe('waiting');
		expect((await statusesUntilDone(id, 120_000)).at(-1)).toBe('success');
		const items = await itemsOf(id);
		expect(items.map((item) => item.json.status)).toEqual(['COMPLETED', 'COMPLETED']);
		// A delivery repeated after the run ended changes nothing either.
		const late = await fetch(resumeUrl, { method: 'POST', headers: signed(body, secret), body });
		expect(late.status).toBeGreaterThanOrEqual(400);
		expect((await rest<{ status: string }>(`/executions/${id}`)).status).toBe('success');
	}, 240_000);

	it(`a parked execution is held by no process: it outlives an n8n restart, and Clipia's webhook resumes it after (n8n ${line})`, async () => {
		const id = await start('clipia-webhook-batch', 'clipiaWebhookWait1', prompts(2, 'restart [emulator:seconds=250]'));
		await until(
			() => rest<{ status: string }>(`/executions/${id}`),
			(execution) => execution.status === 'waiting',
			30_000,
		);
		await local.restart();
		expect((await rest<{ status: string }>(`/executions/${id}`)).status).toBe('waiting');
		expect((await statusesUntilDone(id, 150_000)).at(-1)).toBe('success');
		expect((await itemsOf(id)).map((item) => item.json.status)).toEqual(['COMPLETED', 'COMPLETED']);
	}, 300_000);

	it(`goes on at Max Wait with every request_id when no webhook resumes it (n8n ${line})`, async () => {
		const id = await start('clipia-webhook-short', 'clipiaWebhookWait4', prompts(2, 'slow [emulator:seconds=600]'));
		const seen = await statusesUntilDone(id, 150_000);
		expect(seen).toContain('waiting');
		expect(seen.at(-1)).toBe('success');
		const items = await itemsOf(id);
		expect(items).toHaveLength(2);
		for (const item of items) {
			expect(item.json.request_id).toMatch(/^[0-9a-f-]{36}$/);
			expect(String(item.json.next_step)).toMatch(/did not come within Max Wait \(4 s\).*Clipia Wait Generation/);
		}
	}, 200_000);
}

async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let value = await read();
	while (!accept(value) && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 250));
		value = await read();
	}
	return value;
}
