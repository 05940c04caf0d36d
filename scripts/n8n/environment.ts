/** The environment of what the n8n runtime runs, and how it runs a command. */

import { execFileSync, spawn } from 'node:child_process';
import { delimiter } from 'node:path';

/** npm settings that say where and how to reach the registry, not what to install: these pass. */
const NETWORK_SETTINGS =
	/^npm_config_(cache|registry|proxy|https_proxy|noproxy|cafile|ca|strict_ssl|userconfig|globalconfig)$/i;

/**
 * The caller's environment without npm's per-run settings. Under `npm test` or `npm start`,
 * npm hands every config value to its children as npm_config_* (this project's
 * ignore-scripts=true among them), and they would silently change what gets installed.
 */
export function cleanEnv(nodeBinDir?: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [name, value] of Object.entries(process.env))
		if (!/^npm_/i.test(name) || NETWORK_SETTINGS.test(name)) env[name] = value;
	// The line's Node comes first, so npm, node-gyp and n8n's child processes all run on it.
	if (nodeBinDir) env.PATH = `${nodeBinDir}${delimiter}${env.PATH ?? ''}`;
	return env;
}

/** Runs a command; rejects with its last output lines. While it runs, `progress` is called every 15 s. */
export function run(
	command: string,
	args: string[],
	options: { cwd: string; env: NodeJS.ProcessEnv; progress?: () => void },
): Promise<void> {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
		let tail = '';
		const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
		child.stdout.on('data', keep);
		child.stderr.on('data', keep);
		const timer = options.progress ? setInterval(options.progress, 15_000) : undefined;
		child.on('error', (error) => {
			clearInterval(timer);
			reject(error);
		});
		child.on('close', (code) => {
			clearInterval(timer);
			if (code === 0) resolvePromise();
			else reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${tail}`));
		});
	});
}

export function megabytes(folder: string): number {
	try {
		return Number(
			execFileSync('du', ['-sm', folder], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\t')[0],
		);
	} catch {
		return 0;
	}
}

export function minutes(since: number): string {
	const seconds = Math.round((Date.now() - since) / 1000);
	return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
