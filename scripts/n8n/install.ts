/**
 * Installing a line once into the cache and verifying it before it is trusted: n8n answers
 * --version under the Node that runs it, sqlite3's native addon loads, and a throwaway
 * database initialises. A cache that fails the check is rebuilt.
 */

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { cleanEnv, megabytes, minutes, run } from './environment';
import { cacheRoot, defaultLog, lineSpec, NEWEST_LINE, type LineSpec, type Log, type N8nRuntime } from './lines';
import { withLock } from './lock';
import { nodeFor } from './node';
import { capture } from './processes';

/** Packages whose install scripts n8n needs (sqlite3 builds its addon); every other script stays off. */
const NATIVE_PACKAGES = ['sqlite3'];
/** What one line weighs once installed, for progress lines (measured: 2.3 GB to 2.6 GB). */
const EXPECTED_MB = 2500;

interface Stamp {
	lockHash: string;
	node: string;
	n8n: string;
}

function runtimeOf(spec: LineSpec, node: string): N8nRuntime {
	const dir = join(cacheRoot, `n8n-${spec.version}`);
	return { version: spec.version, node, dir, n8nScript: join(dir, 'node_modules', 'n8n', 'bin', 'n8n') };
}

/** Why an installed line can't be trusted, or undefined when it can. `deep` also initialises a database. */
export async function problemWith(runtime: N8nRuntime, spec: LineSpec, deep: boolean): Promise<string | undefined> {
	const stampFile = join(runtime.dir, '.verified');
	if (!deep) {
		if (!existsSync(stampFile)) return 'it was never verified (an earlier install stopped midway, or an older layout)';
		const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as Stamp;
		if (stamp.lockHash !== spec.lockHash) return 'its lockfile changed';
	}
	const env = cleanEnv(dirname(runtime.node));
	try {
		const answered = execFileSync(runtime.node, [runtime.n8nScript, '--version'], {
			cwd: runtime.dir,
			env,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		if (!answered.includes(spec.version)) return `n8n answered --version with "${answered.trim()}"`;
	} catch (error) {
		return `n8n does not start under ${runtime.node}: ${String((error as { stderr?: string }).stderr ?? error)
			.trim()
			.slice(-300)}`;
	}
	try {
		execFileSync(runtime.node, ['-e', "const s = require('sqlite3'); new s.Database(':memory:').close()"], {
			cwd: runtime.dir,
			env,
			stdio: ['ignore', 'ignore', 'pipe'],
		});
	} catch (error) {
		return `sqlite3's native addon does not load: ${
			String((error as { stderr?: Buffer }).stderr ?? error)
				.trim()
				.split('\n')[0]
		}`;
	}
	if (deep) {
		const folder = mkdtempSync(join(tmpdir(), 'clipia-n8n-check-'));
		try {
			const result = await capture(runtime, folder, ['list:workflow']);
			if (result.code !== 0)
				return `a throwaway n8n database did not initialise: ${(result.stderr || result.stdout).trim().slice(-300)}`;
		} finally {
			rmSync(folder, { recursive: true, force: true });
		}
	}
	return undefined;
}

async function install(runtime: N8nRuntime, spec: LineSpec, log: Log): Promise<void> {
	const started = Date.now();
	rmSync(runtime.dir, { recursive: true, force: true });
	mkdirSync(runtime.dir, { recursive: true });
	for (const file of ['package.json', 'package-lock.json'])
		copyFileSync(join(spec.source, file), join(runtime.dir, file));
	const env = cleanEnv(dirname(runtime.node));
	log(
		`Installing n8n ${spec.version} into ${runtime.dir}: once per machine, about 5 minutes and ${(EXPECTED_MB / 1000).toFixed(1)} GB.`,
	);
	// Scripts off for the install: some of n8n's optional packages download sources or
	// browsers in theirs. Then the addons n8n needs are built, with scripts on, against the
	// headers of the Node that will run them.
	await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
		cwd: runtime.dir,
		env,
		progress: () =>
			log(
				`  … n8n ${spec.version}: ${megabytes(runtime.dir)} MB of about ${EXPECTED_MB} MB downloaded and unpacked (${minutes(started)})`,
			),
	});
	log(
		`  Building ${NATIVE_PACKAGES.join(', ')} for Node ${execFileSync(runtime.node, ['--version'], { encoding: 'utf8' }).trim()} (about a minute)…`,
	);
	const nodedir = runtime.node === process.execPath ? [] : [`--nodedir=${resolve(dirname(runtime.node), '..')}`];
	await run(
		'npm',
		[
			'rebuild',
			...NATIVE_PACKAGES,
			'--ignore-scripts=false',
			...nodedir,
			'--no-audit',
			'--no-fund',
			'--loglevel=error',
		],
		{
			cwd: runtime.dir,
			env,
			progress: () => log(`  … still building (${minutes(started)})`),
		},
	);
	log('  Checking the install: n8n --version, the sqlite3 addon, a throwaway database…');
	const problem = await problemWith(runtime, spec, true);
	if (problem) throw new Error(`The fresh install of n8n ${spec.version} in ${runtime.dir} does not work: ${problem}`);
	const stamp: Stamp = { lockHash: spec.lockHash, node: runtime.node, n8n: spec.version };
	writeFileSync(join(runtime.dir, '.verified'), JSON.stringify(stamp, null, 1));
	log(`n8n ${spec.version} is ready (${minutes(started)}, ${megabytes(runtime.dir)} MB).`);
}

/** The installed, verified n8n of a line; installs or repairs it first when needed. */
export async function ensureN8n(version: string = NEWEST_LINE, log: Log = defaultLog): Promise<N8nRuntime> {
	const spec = lineSpec(version);
	const node = await nodeFor(spec, log);
	const runtime = runtimeOf(spec, node);
	return withLock(`${runtime.dir}.lock`, `n8n ${version}`, log, async () => {
		const problem = await problemWith(runtime, spec, false);
		if (!problem) return runtime;
		if (existsSync(runtime.dir))
			log(`The cached n8n ${version} in ${runtime.dir} can't be used (${problem}); reinstalling it.`);
		await install(runtime, spec, log);
		return runtime;
	});
}
