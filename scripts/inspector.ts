/**
 * The MCP Inspector's CLI, which the bridge's tests run against the real bridge: the version
 * pinned in scripts/mcp-inspector/ (package.json and lockfile), installed once into the
 * project's cache folder with `npm ci`, run on the Node it needs (Node 24 from the registry
 * when this machine's is older, as for n8n's newest line).
 */

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, run } from './n8n/environment';
import { cacheRoot, defaultLog, repoRoot, type Log } from './n8n/lines';
import { withLock } from './n8n/lock';
import { nodeFor } from './n8n/node';

const SOURCE = join(repoRoot, 'scripts', 'mcp-inspector');

export interface Inspector {
	node: string;
	script: string;
}

/** The pinned Inspector, installed when missing; returns how to run its CLI. */
export async function ensureInspector(log: Log = defaultLog): Promise<Inspector> {
	const manifest = JSON.parse(readFileSync(join(SOURCE, 'package.json'), 'utf8')) as {
		engines: { node: string };
		dependencies: Record<string, string>;
	};
	const version = manifest.dependencies['@modelcontextprotocol/inspector'];
	const hash = createHash('sha256')
		.update(readFileSync(join(SOURCE, 'package.json')))
		.update(readFileSync(join(SOURCE, 'package-lock.json')))
		.digest('hex')
		.slice(0, 16);
	const node = await nodeFor(
		{ version: `MCP Inspector ${version}`, source: SOURCE, nodeRange: manifest.engines.node, lockHash: hash },
		log,
	);
	const dir = join(cacheRoot, `mcp-inspector-${version}-${hash}`);
	const script = join(
		dir,
		'node_modules',
		'@modelcontextprotocol',
		'inspector',
		'clients',
		'launcher',
		'build',
		'index.js',
	);
	await withLock(`${dir}.lock`, `MCP Inspector ${version}`, log, async () => {
		if (existsSync(script)) return;
		rmSync(dir, { recursive: true, force: true });
		mkdirSync(dir, { recursive: true });
		for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(SOURCE, file), join(dir, file));
		log(`Installing the MCP Inspector ${version} into ${dir}…`);
		// Its only install script sets up a source checkout's clients; the published package ships them built.
		await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
			cwd: dir,
			env: cleanEnv(),
		});
		if (!existsSync(script)) throw new Error(`The MCP Inspector installed in ${dir} has no CLI at ${script}.`);
	});
	return { node, script };
}
