/**
 * The n8n lines this project runs: each a folder in scripts/n8n-lines/ with a package.json and
 * a committed lockfile, so every machine installs the same packages; where a line is cached.
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { cleanEnv } from './environment';

/** The line `npm start` serves and users on n8n Cloud and Docker run. */
export const NEWEST_LINE = '2.41.1';
/** The newest n8n that runs on Node 20. */
export const NODE20_LINE = '2.8.4';
export const LINES = [NODE20_LINE, NEWEST_LINE] as const;

export const repoRoot = resolve(__dirname, '..', '..');
export const linesDir = join(repoRoot, 'scripts', 'n8n-lines');
export const cacheRoot = process.env.CLIPIA_N8N_CACHE || join(homedir(), '.cache', 'n8n-nodes-clipia');

export type Log = (line: string) => void;
export const defaultLog: Log = (line) => process.stderr.write(`${line}\n`);

export interface N8nRuntime {
	version: string;
	/** The Node binary that runs this line. */
	node: string;
	/** n8n's own entry script (bin/n8n), run with `node`. */
	n8nScript: string;
	/** The installed line's folder. */
	dir: string;
}

export interface LineSpec {
	version: string;
	source: string;
	nodeRange: string;
	lockHash: string;
}

export function lineSpec(version: string): LineSpec {
	const source = join(linesDir, `n8n-${version}`);
	if (!existsSync(join(source, 'package-lock.json'))) {
		const known = readdirSync(linesDir)
			.filter((name) => name.startsWith('n8n-'))
			.map((name) => name.slice(4));
		throw new Error(
			`No n8n line ${version} here. Known lines: ${known.join(', ')} (add one with: npm run n8n:pin -- <version>).`,
		);
	}
	const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { engines: { node: string } };
	const lockHash = createHash('sha256')
		.update(readFileSync(join(source, 'package.json')))
		.update(readFileSync(join(source, 'package-lock.json')))
		.digest('hex')
		.slice(0, 16);
	return { version, source, nodeRange: manifest.engines.node, lockHash };
}

/** Writes scripts/n8n-lines/n8n-<version>/ with a package.json and a lockfile resolved now. */
export function pin(version: string): void {
	const target = join(linesDir, `n8n-${version}`);
	const template = JSON.parse(readFileSync(join(linesDir, `n8n-${NEWEST_LINE}`, 'package.json'), 'utf8'));
	const engines = execFileSync('npm', ['view', `n8n@${version}`, 'engines.node'], {
		encoding: 'utf8',
		env: cleanEnv(),
	}).trim();
	mkdirSync(target, { recursive: true });
	writeFileSync(
		join(target, 'package.json'),
		`${JSON.stringify({ ...template, description: `n8n ${version}.`, engines: { node: engines }, dependencies: { n8n: version } }, null, 2)}\n`,
	);
	execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
		cwd: target,
		stdio: 'inherit',
		env: cleanEnv(),
	});
	console.log(`Wrote ${target}. Point NEWEST_LINE in scripts/n8n/lines.ts at it and run npm test.`);
}
