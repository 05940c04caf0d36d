/** Running n8n: a user folder with this package installed, its environment, its processes and ports. */

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cleanEnv } from './environment';
import { repoRoot, type N8nRuntime } from './lines';

/** A fresh n8n user folder with this package (packed from dist/) as a community node. */
export function prepareUserFolder(folder = mkdtempSync(join(tmpdir(), 'clipia-n8n-'))): string {
	const nodesDir = join(folder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	const packed = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', folder], {
			cwd: repoRoot,
			encoding: 'utf8',
			env: cleanEnv(),
			stdio: ['ignore', 'pipe', 'ignore'],
		}),
	) as Array<{ filename: string }>;
	writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }));
	execFileSync(
		'npm',
		['install', '--no-audit', '--no-fund', '--legacy-peer-deps', '--loglevel=error', join(folder, packed[0].filename)],
		{
			cwd: nodesDir,
			env: cleanEnv(),
			stdio: 'ignore',
		},
	);
	return folder;
}

/** Environment for a headless n8n of `runtime` on the user folder `folder`. */
export function n8nEnv(runtime: N8nRuntime, folder: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	return {
		...cleanEnv(dirname(runtime.node)),
		N8N_USER_FOLDER: folder,
		N8N_ENCRYPTION_KEY: 'clipia-local-encryption-key',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
		N8N_SECURE_COOKIE: 'false',
		// Under NODE_ENV=test (as in jest) n8n prints nothing.
		NODE_ENV: 'production',
		...extra,
	};
}

/** Starts n8n with `args`; the caller reads and ends the process. */
export function spawnN8n(runtime: N8nRuntime, folder: string, args: string[], extraEnv?: Record<string, string>) {
	return spawn(runtime.node, [runtime.n8nScript, ...args], {
		env: n8nEnv(runtime, folder, extraEnv),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

export interface N8nOutput {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Ports this process handed out: none is handed out twice, so two picks in a row never collide. */
const handedOut = new Set<number>();

/** A TCP port free on this machine now, and never one this process handed out before. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
	for (;;) {
		const port = await new Promise<number>((resolvePromise, reject) => {
			const server = createServer();
			server.once('error', reject);
			server.listen(0, host, () => {
				const { port: picked } = server.address() as AddressInfo;
				server.close(() => resolvePromise(picked));
			});
		});
		if (handedOut.has(port)) continue;
		handedOut.add(port);
		return port;
	}
}

/** What tells a main n8n process is ready: its readiness check, then its REST API (2.8.4 says ready before it routes). */
export const MAIN_READY = ['/healthz/readiness', '/rest/settings'];

/**
 * Waits until the n8n process `child` answers each of `paths` at `url` with a 2xx, in turn
 * (`/healthz/readiness`: its database connected and migrated; on the newest line, fully
 * started). Fails, with the process's last output, when it exits first or `timeoutMs` passes.
 */
export async function waitUntilReady(
	url: string,
	child: ChildProcess,
	what: string,
	paths: readonly string[] = MAIN_READY,
	timeoutMs = 180_000,
): Promise<void> {
	let output = '';
	const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	let exitCode: number | null | undefined;
	const onExit = (code: number | null) => (exitCode = code);
	child.once('exit', onExit);
	try {
		const deadline = Date.now() + timeoutMs;
		let next = 0;
		while (Date.now() < deadline) {
			if (exitCode !== undefined || child.exitCode !== null)
				throw new Error(`${what} stopped before it was ready (exit ${exitCode ?? child.exitCode}):\n${output}`);
			const answer = await fetch(`${url}${paths[next]}`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
			if (answer?.ok && ++next === paths.length) return;
			if (!answer?.ok) await new Promise((resolvePromise) => setTimeout(resolvePromise, 250));
		}
		throw new Error(`${what} was not ready in ${timeoutMs / 1000} s (waiting for ${paths[next]}):\n${output}`);
	} finally {
		child.stdout?.off('data', keep);
		child.stderr?.off('data', keep);
		child.off('exit', onExit);
	}
}

/** Whether `port` can be listened on, on every interface (as n8n listens). */
export function portIsFree(port: number): Promise<boolean> {
	return new Promise((resolvePromise) => {
		const server = createServer();
		server.once('error', () => resolvePromise(false));
		server.listen(port, () => server.close(() => resolvePromise(true)));
	});
}

/**
 * Runs an n8n CLI command to its end. Each run gets its own task-broker port (n8n's default,
 * 5679, is taken by any other n8n running here), so commands can run side by side.
 */
export async function capture(
	runtime: N8nRuntime,
	folder: string,
	args: string[],
	extraEnv?: Record<string, string>,
): Promise<N8nOutput> {
	const env = { N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...extraEnv };
	return new Promise((resolvePromise, reject) => {
		const child = spawnN8n(runtime, folder, args, env);
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		child.on('error', reject);
		child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
	});
}
