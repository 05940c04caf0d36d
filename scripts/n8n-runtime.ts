/**
 * The real n8n that the end-to-end suites and `npm start` run, one per n8n line.
 *
 * Each line is a folder in scripts/n8n-lines/ with a package.json and a committed lockfile,
 * so every machine installs the same packages. A line is installed once into a cache folder
 * outside the repository (CLIPIA_N8N_CACHE, default ~/.cache/n8n-nodes-clipia) and verified
 * before it is trusted: n8n answers --version under the Node that runs it, sqlite3's native
 * addon loads, and a throwaway database initialises. A cache that fails the check is rebuilt.
 *
 * Whatever starts it (npm test, npm start, a shell), the install runs with scripts on for the
 * native addons n8n needs and with none of the caller's npm_config_* settings. Two first runs
 * at once wait for each other through a lock folder.
 *
 * `node -r ts-node/register/transpile-only scripts/n8n-runtime.ts install [line…]` installs
 * lines; `… pin <n8n version>` writes a new line folder with its lockfile.
 *
 * The parts live by concern in scripts/n8n/: lines.ts (the lines and their pins),
 * environment.ts, lock.ts, node.ts (the Node for a line), install.ts (install and verify),
 * processes.ts (running n8n). This file is their one entry point and the command line.
 */

import { ensureN8n } from './n8n/install';
import { LINES, pin } from './n8n/lines';

export { cleanEnv } from './n8n/environment';
export { ensureN8n, problemWith } from './n8n/install';
export {
	cacheRoot,
	lineSpec,
	LINES,
	NEWEST_LINE,
	NODE20_LINE,
	type LineSpec,
	type Log,
	type N8nRuntime,
} from './n8n/lines';
export { withLock } from './n8n/lock';
export {
	capture,
	freePort,
	n8nEnv,
	portIsFree,
	prepareUserFolder,
	spawnN8n,
	waitUntilReady,
	type N8nOutput,
} from './n8n/processes';

async function main(argv: string[]): Promise<void> {
	const [command, ...rest] = argv;
	if (command === 'install') {
		for (const version of rest.length ? rest : LINES) await ensureN8n(version);
	} else if (command === 'pin' && rest[0]) {
		pin(rest[0]);
	} else {
		console.error('usage: n8n-runtime install [version…] | pin <version>');
		process.exitCode = 2;
	}
}

if (require.main === module) {
	main(process.argv.slice(2)).catch((error: unknown) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	});
}
