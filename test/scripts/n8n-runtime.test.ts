/**
 * The n8n runtime's own guarantees, without installing n8n: what reaches a nested npm, how
 * an install is judged before it is trusted, and the lock that keeps two first runs apart.
 */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
	cleanEnv,
	lineSpec,
	NEWEST_LINE,
	NODE20_LINE,
	problemWith,
	withLock,
	type N8nRuntime,
} from '../../scripts/n8n-runtime';

let work: string;
beforeEach(() => (work = mkdtempSync(join(tmpdir(), 'clipia-runtime-'))));
afterEach(() => rmSync(work, { recursive: true, force: true }));

it("keeps the caller's npm settings out of nested installs, but not where the registry is", () => {
	const saved = { ...process.env };
	Object.assign(process.env, {
		npm_config_ignore_scripts: 'true',
		npm_config_omit: 'dev',
		npm_lifecycle_event: 'test',
		npm_config_cache: '/somewhere/npm-cache',
	});
	try {
		const env = cleanEnv('/opt/node-24/bin');
		expect(env.npm_config_ignore_scripts).toBeUndefined();
		expect(env.npm_config_omit).toBeUndefined();
		expect(env.npm_lifecycle_event).toBeUndefined();
		expect(env.npm_config_cache).toBe('/somewhere/npm-cache');
		expect(env.PATH!.split(':')[0]).toBe('/opt/node-24/bin');
	} finally {
		process.env = saved;
	}
});

it('each line has a lockfile and names the Node it needs', () => {
	expect(lineSpec(NODE20_LINE).nodeRange).toBe('>=20.19 <25');
	expect(lineSpec(NEWEST_LINE).nodeRange).toBe('>=24');
	expect(lineSpec(NODE20_LINE).lockHash).not.toBe(lineSpec(NEWEST_LINE).lockHash);
	expect(() => lineSpec('1.0.0')).toThrow(/No n8n line 1\.0\.0 here\. Known lines: .*2\.8\.4/);
});

/** An install that has n8n's entry script (answering --version) and maybe a sqlite3 that loads. */
function fakeInstall(version: string, { sqlite }: { sqlite: boolean }): N8nRuntime {
	const dir = join(work, `n8n-${version}`);
	mkdirSync(join(dir, 'node_modules', 'n8n', 'bin'), { recursive: true });
	writeFileSync(join(dir, 'node_modules', 'n8n', 'bin', 'n8n'), `console.log(${JSON.stringify(version)});\n`);
	if (sqlite) {
		mkdirSync(join(dir, 'node_modules', 'sqlite3'));
		writeFileSync(join(dir, 'node_modules', 'sqlite3', 'index.js'), 'exports.Database = class { close() {} };\n');
	}
	return { version, node: process.execPath, dir, n8nScript: join(dir, 'node_modules', 'n8n', 'bin', 'n8n') };
}

it('does not trust an install that was never verified, whose lockfile changed, or whose sqlite3 addon is missing', async () => {
	const spec = lineSpec(NODE20_LINE);
	const broken = fakeInstall(NODE20_LINE, { sqlite: false });
	expect(await problemWith(broken, spec, false)).toMatch(/never verified/);
	writeFileSync(
		join(broken.dir, '.verified'),
		JSON.stringify({ lockHash: 'another', node: process.execPath, n8n: NODE20_LINE }),
	);
	expect(await problemWith(broken, spec, false)).toMatch(/lockfile changed/);
	writeFileSync(
		join(broken.dir, '.verified'),
		JSON.stringify({ lockHash: spec.lockHash, node: process.execPath, n8n: NODE20_LINE }),
	);
	expect(await problemWith(broken, spec, false)).toMatch(/sqlite3's native addon does not load/);

	const wrongVersion = fakeInstall('2.0.0', { sqlite: true });
	writeFileSync(join(wrongVersion.dir, '.verified'), JSON.stringify({ lockHash: spec.lockHash }));
	expect(await problemWith(wrongVersion, spec, false)).toMatch(/answered --version with "2\.0\.0"/);

	const good = fakeInstall(NODE20_LINE, { sqlite: true });
	writeFileSync(join(good.dir, '.verified'), JSON.stringify({ lockHash: spec.lockHash }));
	expect(await problemWith(good, spec, false)).toBeUndefined();
});

it('lets one install run at a time, and takes over a lock whose holder died', async () => {
	const lock = join(work, 'n8n.lock');
	const events: string[] = [];
	const holder = (name: string) =>
		withLock(
			lock,
			'n8n',
			() => undefined,
			async () => {
				events.push(`${name} in`);
				await new Promise((r) => setTimeout(r, 300));
				events.push(`${name} out`);
			},
		);
	await Promise.all([holder('a'), holder('b')]);
	expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);

	// A process that held the lock and died without releasing it.
	const dead = spawn(process.execPath, ['-e', '']);
	const pid = dead.pid!;
	await new Promise((r) => dead.on('close', r));
	mkdirSync(lock);
	writeFileSync(join(lock, 'owner'), JSON.stringify({ pid, host: hostname() }));
	const said: string[] = [];
	const started = Date.now();
	await withLock(
		lock,
		'n8n 2.8.4',
		(line) => said.push(line),
		async () => undefined,
	);
	// A holder that is alive would be waited for (minutes): a dead one is taken over at once.
	expect(Date.now() - started).toBeLessThan(10_000);
	expect(said).toEqual([`A previous install of n8n 2.8.4 (process ${pid}) stopped midway; taking over.`]);
});

it.each([NEWEST_LINE, NODE20_LINE])(
	"npm start's install path for n8n %s begins on a machine whose cache folder does not exist yet",
	(line) => {
		const cache = join(work, 'not-yet', 'cache');
		// npm offline with an empty cache: the install step is reached and fails at once, with npm's own words.
		const npmrc = join(work, 'npmrc');
		writeFileSync(npmrc, 'offline=true\n');
		const run = spawnSync(
			process.execPath,
			['-r', 'ts-node/register/transpile-only', 'scripts/n8n-runtime.ts', 'install', line],
			{
				cwd: resolve(__dirname, '..', '..'),
				encoding: 'utf8',
				timeout: 60_000,
				env: {
					...process.env,
					CLIPIA_N8N_CACHE: cache,
					npm_config_userconfig: npmrc,
					npm_config_cache: join(work, 'npm-cache'),
				},
			},
		);
		const said = run.stdout + run.stderr;
		expect(said).not.toMatch(/ENOENT/);
		expect(said).toMatch(/npm install .*failed/);
		expect(said).toMatch(/ENOTCACHED|offline/i);
		expect(existsSync(cache)).toBe(true);
	},
	90_000,
);

it('one truth about the Node the project needs: the README, package.json and the Node 20 line of n8n agree', () => {
	const root = resolve(__dirname, '..', '..');
	const readme = readFileSync(join(root, 'README.md'), 'utf8');
	const said = /\*\*Node\*\*: (\d+\.\d+) or newer/.exec(readme)?.[1];
	const engines = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node;
	expect(said).toBeDefined();
	expect(engines).toBe(`>=${said}`);
	expect(lineSpec(NODE20_LINE).nodeRange.split(' ')[0]).toBe(`>=${said}`);
});
