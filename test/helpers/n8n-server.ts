/**
 * A real n8n server for tests and benchmarks that need n8n's own HTTP side (production
 * webhooks, waiting webhooks): `npm start`'s local n8n with extra workflows published, signed
 * in as the owner, and read through n8n's REST API the way its editor reads it.
 */

import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_KEYS, type ClipiaEmulator } from '../../emulator/server';
import { LOCAL_OWNER, setUpOwner, startLocalN8n, type LocalN8n } from '../../scripts/local-n8n';
import { freePort } from '../../scripts/n8n-runtime';
import { QueueRig, type QueueRigOptions } from '../../scripts/queue-rig';
import { assertKnownParameters } from './workflow-check';

/** n8n's REST API sends execution data in flatted's format (the package's CommonJS build). */
const { parse } = createRequire(__filename)('flatted') as { parse(text: string): unknown };

const CREDENTIAL = { clipiaApi: { id: 'clipiaCredential1', name: 'Clipia account' } };

export interface Item {
	json: Record<string, unknown>;
	binary?: Record<string, { mimeType: string; fileName: string }>;
	pairedItem?: unknown;
}

export interface ExecutionDetail {
	id: string;
	status: string;
	startedAt?: string;
	stoppedAt?: string;
	data: string;
}

/**
 * A workflow started by a production webhook at `path`: the request's `prompts` become items,
 * then the Clipia nodes in a row (the last is named "Clipia", an earlier one "Clipia Submit").
 */
export function webhookWorkflow(
	id: string,
	path: string,
	...clipiaNodes: Array<Record<string, unknown>>
): Record<string, unknown> {
	const names = clipiaNodes.map((_, n) => (n === clipiaNodes.length - 1 ? 'Clipia' : 'Clipia Submit'));
	const chain = ['Webhook', 'Prompts', ...names];
	return {
		id,
		name: `Webhook wait ${id}`,
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

/** Clipia Generate Video waiting in the given mode, on the items' `body.prompts`. */
export function generateVideoNode(
	waitMode: 'poll' | 'webhook',
	output: 'urls' | 'binary',
	maxWaitSeconds = 600,
	options: Record<string, unknown> = {},
) {
	return {
		type: 'n8n-nodes-clipia.clipiaGenerateVideo',
		typeVersion: 1,
		parameters: {
			prompt: '={{ $json["body.prompts"] }}',
			waitForCompletion: true,
			waitMode,
			output,
			options: { maxWaitSeconds, maxConcurrency: 10, ...options },
		},
	};
}

export class N8nServer {
	private cookie = '';

	private constructor(
		readonly url: string,
		readonly emulator: ClipiaEmulator,
		private readonly stopAll: () => Promise<void>,
		/** Set when n8n runs as `npm start` runs it (one process), which can be restarted. */
		readonly local?: LocalN8n,
	) {}

	/** An n8n already running at `url` (e.g. queue mode's main process): its owner is set up and signed in. */
	static async attach(url: string, emulator: ClipiaEmulator, stop: () => Promise<void>): Promise<N8nServer> {
		await setUpOwner(url);
		const server = new N8nServer(url, emulator, stop);
		await server.signIn();
		return server;
	}

	/** Starts n8n `line` with the emulator at `timeScale`, and `workflows` imported and published. */
	static async start(line: string, timeScale: number, workflows: Array<Record<string, unknown>>): Promise<N8nServer> {
		assertKnownParameters(workflows);
		const folder = mkdtempSync(join(tmpdir(), 'clipia-n8n-server-'));
		const local = await startLocalN8n({
			line,
			port: await freePort(),
			emulatorPort: await freePort(),
			emulatorTimeScale: timeScale,
			folder: join(folder, 'n8n'),
			workflows,
			log: () => undefined,
		});
		const server = new N8nServer(
			local.url,
			local.emulator!,
			async () => {
				await local.stop();
				rmSync(folder, { recursive: true, force: true });
			},
			local,
		);
		await server.signIn();
		return server;
	}

	stop(): Promise<void> {
		return this.stopAll();
	}

	private async signIn(): Promise<void> {
		const login = await fetch(`${this.url}/rest/login`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', 'browser-id': 'clipia-test' },
			body: JSON.stringify({ emailOrLdapLoginId: LOCAL_OWNER.email, password: LOCAL_OWNER.password }),
		});
		if (login.status !== 200) throw new Error(`Signing in to n8n failed: HTTP ${login.status}`);
		this.cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
	}

	/** One call to n8n's REST API as the signed-in owner (a GET, or a POST of `body`); its `data`. */
	async rest<T>(path: string, body?: unknown): Promise<T> {
		const method = body === undefined ? 'GET' : 'POST';
		const response = await fetch(`${this.url}/rest${path}`, {
			method,
			headers: {
				cookie: this.cookie,
				'browser-id': 'clipia-test',
				...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		if (!response.ok) throw new Error(`${method} /rest${path}: HTTP ${response.status} ${await response.text()}`);
		return ((await response.json()) as { data: T }).data;
	}

	/**
	 * Retries an execution that did not succeed, as the editor's "Retry with original workflow"
	 * does (from the node that did not finish, with the data saved before it); returns the new
	 * execution's id once it has ended.
	 */
	async retry(id: string): Promise<string> {
		return (await this.rest<{ id: string }>(`/executions/${id}/retry`, { loadWorkflow: false })).id;
	}

	execution(id: string): Promise<ExecutionDetail> {
		return this.rest<ExecutionDetail>(`/executions/${id}`);
	}

	private async executionIds(workflowId: string): Promise<string[]> {
		const list = await this.rest<{ results: Array<{ id: string }> }>(
			`/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=50`,
		);
		return list.results.map((execution) => execution.id);
	}

	/** Starts the workflow at its production webhook with these prompts; returns its execution id. */
	async start(path: string, workflowId: string, prompts: string[]): Promise<string> {
		return (await this.startAll(path, workflowId, [prompts]))[0];
	}

	/**
	 * Starts one execution per batch of prompts, all at once; returns their ids (in the order
	 * n8n created them). Each is told apart from the executions that existed before, so
	 * executions started together are never mistaken for one another.
	 */
	async startAll(path: string, workflowId: string, batches: string[][]): Promise<string[]> {
		const before = new Set(await this.executionIds(workflowId));
		await Promise.all(
			batches.map(async (prompts) => {
				// Just after n8n starts, a published workflow's webhook may not be registered yet (404).
				const response = await until(
					() =>
						fetch(`${this.url}/webhook/${path}`, {
							method: 'POST',
							headers: { 'Content-Type': 'application/json' },
							body: JSON.stringify({ prompts }),
						}),
					(answer) => answer.status !== 404,
					15_000,
				);
				if (response.status !== 200) throw new Error(`POST /webhook/${path}: HTTP ${response.status}`);
			}),
		);
		const fresh = await until(
			async () => (await this.executionIds(workflowId)).filter((id) => !before.has(id)),
			(ids) => ids.length >= batches.length,
			30_000,
		);
		if (fresh.length !== batches.length)
			throw new Error(`n8n listed ${fresh.length} new execution(s) of ${workflowId}, not ${batches.length}`);
		return fresh.sort((a, b) => Number(a) - Number(b));
	}

	/** Waits until n8n lists the execution in `status` (or the time runs out); returns the last status. */
	async reaches(id: string, status: string, timeoutMs = 30_000): Promise<string> {
		return (
			await until(
				() => this.execution(id),
				(execution) => execution.status === status,
				timeoutMs,
			)
		).status;
	}

	/**
	 * The statuses n8n lists for the execution until it has shown `status` for `steadyMs` in a row
	 * (or the time runs out). On startup n8n's recovery takes a parked execution (its run is logged
	 * as started, never as ended) for one cut off by a crash: it saves it `crashed`, then its own
	 * hooks save it `waiting` again, as its wait time says. A read between the two sees `crashed`.
	 */
	async settles(id: string, status: string, steadyMs = 5_000, timeoutMs = 30_000): Promise<string[]> {
		const seen: string[] = [];
		let since = Date.now();
		const steady = ({ status: current }: { status: string }) => {
			if (seen.at(-1) !== current) {
				seen.push(current);
				since = Date.now();
			}
			return current === status && Date.now() - since >= steadyMs;
		};
		await until(() => this.execution(id), steady, timeoutMs);
		return seen;
	}

	/**
	 * Waits until n8n's event log (in the user folder) shows every node the execution started
	 * as finished. n8n writes that log from a worker thread, after the execution is saved; a
	 * restart before the lines are written makes its startup recovery take a parked execution
	 * for one cut off mid-node and mark it crashed.
	 */
	async nodesLogged(id: string, timeoutMs = 30_000): Promise<void> {
		const log = join(this.local!.folder, '.n8n', 'n8nEventLog.log');
		const settled = () => {
			const started = new Set<string>();
			const finished = new Set<string>();
			for (const line of existsSync(log) ? readFileSync(log, 'utf8').split('\n') : []) {
				if (!line.includes(`"executionId":"${id}"`)) continue;
				const event = JSON.parse(line) as { eventName?: string; payload?: { nodeName?: string } };
				const node = event.payload?.nodeName ?? '';
				if (event.eventName === 'n8n.node.started') started.add(node);
				if (event.eventName === 'n8n.node.finished') finished.add(node);
			}
			return started.size > 0 && [...started].every((node) => finished.has(node));
		};
		if (!(await until(async () => settled(), Boolean, timeoutMs)))
			throw new Error(`n8n's event log did not show every node of execution ${id} finished`);
	}

	/** The statuses n8n showed for the execution until it ended; an error adds n8n's own words. */
	async statusesUntilDone(id: string, timeoutMs = 120_000): Promise<string[]> {
		const seen: string[] = [];
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const execution = await this.execution(id);
			if (seen.at(-1) !== execution.status) seen.push(execution.status);
			if (execution.status === 'error') {
				const data = parse(execution.data) as { resultData: { error?: { message?: string } } };
				seen.push(`error: ${data.resultData.error?.message ?? 'unknown'}`);
				return seen;
			}
			if (!['new', 'running', 'waiting'].includes(execution.status) || Date.now() > deadline) return seen;
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
	}

	/** The names of the nodes the execution ran, as its saved data shows them. */
	async nodesRun(id: string): Promise<string[]> {
		const data = parse((await this.execution(id)).data) as { resultData: { runData?: Record<string, unknown> } };
		return Object.keys(data.resultData.runData ?? {});
	}

	/** The items the node `node` output in its last run of the execution. */
	async itemsOf(id: string, node = 'Clipia'): Promise<Item[]> {
		const data = parse((await this.execution(id)).data) as {
			resultData: { runData: Record<string, Array<{ data?: { main: Item[][] } }>> };
		};
		return data.resultData.runData[node]?.at(-1)?.data?.main[0] ?? [];
	}
}

/** A suite's n8n server: started before its tests (installing the line when needed), stopped after them. */
export function useN8nServer(
	line: string,
	timeScale: number,
	workflows: Array<Record<string, unknown>>,
): () => N8nServer {
	let server: N8nServer | undefined;
	beforeAll(async () => {
		server = await N8nServer.start(line, timeScale, workflows);
	}, 30 * 60_000);
	afterAll(async () => {
		await server?.stop();
	});
	return () => server!;
}

/** A test file's queue-mode rig and its n8n, set once its `beforeAll` ran; `figures` are printed after its tests. */
export interface QueueRigSetup {
	rig: QueueRig;
	n8n: N8nServer;
	figures: string[];
}

/**
 * Starts a queue-mode rig (scripts/queue-rig.ts) before a test file's tests, with the live demo
 * key and the file's workflows published, and stops it after them, printing `heading` and the
 * figures its tests pushed.
 */
export function useQueueRig(options: QueueRigOptions, heading: string): QueueRigSetup {
	const setup = { figures: [] as string[] } as QueueRigSetup;
	beforeAll(async () => {
		assertKnownParameters(options.workflows);
		const rig = (setup.rig = new QueueRig(options));
		await rig.start();
		rig.emulator.addKey({ key: DEMO_KEYS.live, credits: 1_000_000 });
		setup.n8n = await N8nServer.attach(rig.url, rig.emulator, () => rig.stop());
	}, 30 * 60_000);
	afterAll(async () => {
		await (setup.n8n ?? setup.rig)?.stop();
		console.log(`${heading}:\n${setup.figures.join('\n')}`);
	});
	return setup;
}

export async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let value = await read();
	while (!accept(value) && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 250));
		value = await read();
	}
	return value;
}
