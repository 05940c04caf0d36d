/**
 * A local n8n as `npm start` serves it (and the browser suite drives it): the freshly built
 * package installed as a community node, the credentials and example workflows imported,
 * the Clipia emulator behind them unless a real key is given, free ports, and an owner
 * account ready to sign in with.
 */

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClipiaEmulator, DEMO_KEYS } from '../emulator/server';
import {
	cacheRoot,
	capture,
	ensureN8n,
	freePort,
	portIsFree,
	prepareUserFolder,
	spawnN8n,
	waitUntilReady,
	type Log,
	type N8nRuntime,
} from './n8n-runtime';

const root = join(__dirname, '..');
export const EXAMPLES_DIR = join(root, 'examples');

/** The owner account of the local instance (it lives in a throwaway user folder on this machine only). */
export const LOCAL_OWNER = {
	email: 'owner@example.com',
	password: 'Clipia-local-1',
	firstName: 'Local',
	lastName: 'Owner',
};

export interface LocalN8nOptions {
	line: string;
	/** The port n8n's editor should use; when it is busy another free one is taken and said. */
	port: number;
	/** Set when the user chose the port: then a busy port is an error, not a fallback. */
	portChosen?: boolean;
	emulatorPort?: number;
	emulatorTimeScale?: number;
	/** A real Clipia key: no emulator, the credential points at `baseUrl`. */
	apiKey?: string;
	baseUrl?: string;
	/** The secret Clipia signs webhooks with, for Wait Mode "Resume on Clipia Webhook". */
	webhookSecret?: string;
	/** The user folder; emptied first. */
	folder?: string;
	/** More workflows to import and publish (activate) before n8n starts. */
	workflows?: Array<Record<string, unknown>>;
	log: Log;
	/** n8n's own output lines. */
	echo?: (chunk: string) => void;
}

export interface LocalN8n {
	url: string;
	line: string;
	emulator?: ClipiaEmulator;
	folder: string;
	workflows: number;
	stop(): Promise<void>;
	/** Stops n8n (not the emulator) and starts it again on the same user folder and port. */
	restart(): Promise<void>;
	/** Resolves with n8n's exit code when it ends. */
	readonly exited: Promise<number>;
}

/** The key of the "Clipia (wrong key)" credential: wrong on purpose, for example 6. */
export const WRONG_KEY = 'clipia_live_wrong_key_0000';

/**
 * Imports the examples' credentials ("Clipia account" and, wrong on purpose, "Clipia (wrong
 * key)") pointing at `baseUrl`, and the example workflows, into the n8n user folder `folder`.
 * Throws when n8n refuses either; returns what n8n said.
 */
export async function importExamples(
	runtime: N8nRuntime,
	folder: string,
	clipia: { apiKey: string; baseUrl: string; webhookSecret?: string },
) {
	const credentials = [
		{ id: 'clipiaCredential1', name: 'Clipia account', type: 'clipiaApi', data: clipia },
		{
			id: 'clipiaBadKeyCred1',
			name: 'Clipia (wrong key)',
			type: 'clipiaApi',
			data: { apiKey: WRONG_KEY, baseUrl: clipia.baseUrl },
		},
	];
	const file = join(folder, 'credentials.json');
	writeFileSync(file, JSON.stringify(credentials));
	const credential = await capture(runtime, folder, ['import:credentials', `--input=${file}`]);
	rmSync(file);
	const workflows = await capture(runtime, folder, ['import:workflow', '--separate', `--input=${EXAMPLES_DIR}`]);
	for (const [what, step] of [
		['the credentials', credential],
		['the example workflows', workflows],
	] as const) {
		if (step.code !== 0)
			throw new Error(`Importing ${what} into n8n failed: ${(step.stderr || step.stdout).slice(-600)}`);
	}
	return {
		workflows: readdirSync(EXAMPLES_DIR).filter((name) => name.endsWith('.json')).length,
		said: [credential, workflows],
	};
}

/**
 * Imports `workflows` into the n8n user folder `folder` and publishes (activates) each one, with
 * n8n's own commands before n8n starts (`env`: the instance's settings, e.g. its database).
 */
export async function importAndPublish(
	runtime: N8nRuntime,
	folder: string,
	workflows: Array<Record<string, unknown>>,
	env?: Record<string, string>,
): Promise<void> {
	const files = join(folder, 'workflows-to-import');
	mkdirSync(files, { recursive: true });
	for (const flow of workflows) writeFileSync(join(files, `${String(flow.id)}.json`), JSON.stringify(flow));
	const steps = [
		['import:workflow', '--separate', `--input=${files}`],
		...workflows.map((flow) => ['publish:workflow', `--id=${String(flow.id)}`]),
	];
	for (const args of steps) {
		const step = await capture(runtime, folder, args, env);
		if (step.code !== 0) throw new Error(`n8n ${args[0]} failed: ${(step.stderr || step.stdout).slice(-800)}`);
	}
}

/** `preferred` when it is free; otherwise a free port, or (when the user chose it) a one-line error. */
async function portFor(preferred: number, what: string, chosen: boolean, variable: string, log: Log): Promise<number> {
	if (await portIsFree(preferred)) return preferred;
	if (chosen)
		throw new Error(
			`Port ${preferred} (${what}) is in use. Choose another with ${variable}=<port>, or stop what is using it.`,
		);
	const other = await freePort();
	log(`Port ${preferred} (${what}) is in use; using ${other} instead (set ${variable} to choose).`);
	return other;
}

export async function startLocalN8n(options: LocalN8nOptions): Promise<LocalN8n> {
	const { log } = options;
	const runtime = await ensureN8n(options.line, log);

	let emulator: ClipiaEmulator | undefined;
	let apiKey = options.apiKey;
	let baseUrl = options.baseUrl ?? 'https://api.clipia.ai';
	let webhookSecret = options.webhookSecret;
	if (!apiKey) {
		emulator = new ClipiaEmulator({ timeScale: options.emulatorTimeScale ?? 10 });
		const emulatorPort = await portFor(
			options.emulatorPort ?? 4010,
			'the Clipia emulator',
			options.emulatorPort !== undefined,
			'CLIPIA_EMULATOR_PORT',
			log,
		);
		baseUrl = await emulator.start(emulatorPort);
		apiKey = DEMO_KEYS.live;
		webhookSecret = emulator.options.webhookSecret;
		log(`Local Clipia emulator on ${baseUrl} (no CLIPIA_API_KEY set: nothing real is generated, nothing is charged).`);
	}
	const port = await portFor(options.port, "n8n's editor", !!options.portChosen, 'N8N_PORT', log);

	// A fresh user folder each start, so the freshly built package is the one loaded.
	const folder = options.folder ?? join(cacheRoot, `start-user-folder-${options.line}`);
	rmSync(folder, { recursive: true, force: true });
	mkdirSync(folder, { recursive: true });
	prepareUserFolder(folder);
	let count: number;
	try {
		({ workflows: count } = await importExamples(runtime, folder, { apiKey, baseUrl, webhookSecret }));
		if (options.workflows) await importAndPublish(runtime, folder, options.workflows);
	} catch (error) {
		await emulator?.stop();
		throw error;
	}
	log(
		`Imported the "Clipia account" credential (and "Clipia (wrong key)" for example 6) and ${count} example workflows.`,
	);

	log(`Starting n8n ${options.line} on port ${port}…`);
	const url = `http://localhost:${port}`;
	const launch = async () => {
		const n8n = spawnN8n(runtime, folder, ['start'], {
			N8N_PORT: String(port),
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		});
		if (options.echo) {
			n8n.stdout.on('data', (chunk: Buffer) => options.echo!(chunk.toString()));
			n8n.stderr.on('data', (chunk: Buffer) => options.echo!(chunk.toString()));
		}
		const exited = new Promise<number>((resolvePromise) => n8n.on('exit', (code) => resolvePromise(code ?? 0)));
		return { n8n, exited, ready: waitUntilReady(url, n8n, `n8n ${options.line}`) };
	};
	let current = await launch();
	const stopN8n = async () => {
		if (current.n8n.exitCode === null) current.n8n.kill('SIGTERM');
		await current.exited;
	};
	const stop = async () => {
		await stopN8n();
		await emulator?.stop();
	};
	try {
		await current.ready;
		await setUpOwner(url);
	} catch (error) {
		await stop();
		throw error;
	}
	return {
		url,
		line: options.line,
		emulator,
		folder,
		workflows: count,
		stop,
		async restart() {
			await stopN8n();
			current = await launch();
			await current.ready;
		},
		get exited() {
			return current.exited;
		},
	};
}

/** Creates the owner account through n8n's own first-run endpoint, as the setup page does. */
export async function setUpOwner(url: string): Promise<void> {
	const response = await fetch(`${url}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(LOCAL_OWNER),
	});
	if (!response.ok)
		throw new Error(
			`Creating the local owner account failed: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`,
		);
}
