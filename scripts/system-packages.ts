/**
 * The system programs the test rigs need, each from Debian's package, with why. `npm test`
 * runs `npm run system:install` first, which installs (as root, with apt-get) whatever is
 * missing; the rigs ask for theirs again when they start, so a suite run alone works too.
 * Nothing here is a download of its own: only Debian's packages.
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface SystemProgram {
	/** A program's name, or a file's absolute path. */
	program: string;
	/** The Debian package that provides it. */
	debian: string;
	why: string;
}

const DEJAVU_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export const SYSTEM_PROGRAMS: readonly SystemProgram[] = [
	{ program: 'chromium', debian: 'chromium', why: 'the browser suite: the n8n editor as a person sees it' },
	{ program: DEJAVU_FONT, debian: 'fonts-dejavu-core', why: 'a font for the text in the editor screenshots' },
	{ program: 'redis-server', debian: 'redis-server', why: "queue mode's job queue (npm run test:scale)" },
	{ program: 'redis-cli', debian: 'redis-tools', why: "reading queue mode's active jobs, and Redis's readiness" },
	{ program: 'initdb', debian: 'postgresql', why: "queue mode's database (npm run test:scale)" },
	{ program: 'pg_ctl', debian: 'postgresql', why: "starting and stopping queue mode's database" },
	{ program: 'psql', debian: 'postgresql-client', why: "reading executions from queue mode's database" },
];

/** A program on PATH (Chromium: CHROMIUM_PATH first), or in Debian's versioned PostgreSQL folders; undefined when missing. */
export function findProgram(name: string): string | undefined {
	if (name.startsWith('/')) return existsSync(name) ? name : undefined;
	if (name === 'chromium') {
		const browser = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
			(path) => path && existsSync(path),
		);
		if (browser) return browser;
	}
	const onPath = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
	if (onPath) return onPath;
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	for (const version of readdirSync(root).sort().reverse()) {
		const candidate = join(root, version, 'bin', name);
		if (existsSync(candidate)) return candidate;
	}
	return undefined;
}

/**
 * Installs the Debian packages of whichever of `programs` are missing (as root), saying what
 * and why; without root or apt-get, fails with the command to run.
 */
export function ensureSystemPrograms(
	programs: readonly string[] = SYSTEM_PROGRAMS.map((entry) => entry.program),
	log: (line: string) => void = console.log,
): void {
	const missing = SYSTEM_PROGRAMS.filter((entry) => programs.includes(entry.program) && !findProgram(entry.program));
	if (!missing.length) return;
	const packages = [...new Set(missing.map((entry) => entry.debian))];
	if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get'))
		throw new Error(
			`The test rigs need ${packages.join(', ')}: sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`,
		);
	for (const entry of missing) log(`Installing Debian's ${entry.debian} for ${entry.why}…`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
	execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'ignore', env });
	const still = missing.filter((entry) => !findProgram(entry.program));
	if (still.length)
		throw new Error(
			`apt-get installed ${packages.join(', ')}, but ${still.map((e) => e.program).join(', ')} is missing.`,
		);
}

if (require.main === module) {
	try {
		ensureSystemPrograms();
		for (const entry of SYSTEM_PROGRAMS) console.log(`${entry.program}: ${findProgram(entry.program)} (${entry.why})`);
	} catch (error) {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	}
}
