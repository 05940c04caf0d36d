/** The n8n package as n8n Cloud sees it: no runtime dependencies, the right files, n8n's lint and scan green. */

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORE_USER_AGENT } from '../../core/http/client';
import { PACKAGES, tarballFiles } from '../../scripts/release-check';

const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// eslint-plugin-n8n-nodes-base reads NODE_ENV when it loads: under "test" (as in jest) it
// lints as in its own test suite, with made-up file names. n8n runs it outside tests.
const env = { ...process.env, NODE_ENV: 'production' };

it('has no runtime dependencies, only the n8n-workflow peer', () => {
	expect(manifest.dependencies ?? {}).toEqual({});
	expect(manifest.peerDependencies).toEqual({ 'n8n-workflow': '*' });
});

it("tells Clipia the package's own version in its User-Agent", () => {
	expect(CORE_USER_AGENT).toBe(`clipia-core/${manifest.version}`);
});

it('its tarball holds only what n8n loads: the compiled code, icons, LICENSE, README, package.json', () => {
	const files = tarballFiles('n8n-nodes-clipia');
	expect(files.filter((file) => !PACKAGES['n8n-nodes-clipia'].ships.test(file))).toEqual([]);
	expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
	expect(files.some((file) => /(^|\/)(test|emulator|bench|scripts)\/|\.map$|\.ts$/.test(file))).toBe(false);
});

it("packs the compiled nodes, credential, icons and codex files the n8n section lists, and passes n8n's lint and scan", () => {
	const report = JSON.parse(
		execFileSync('node', [join(root, 'scripts', 'n8n-checks.mjs')], { cwd: root, env, encoding: 'utf8' }),
	);
	const files: string[] = report.files;
	for (const entry of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) expect(files).toContain(entry);
	for (const node of [
		'Clipia',
		'ClipiaGenerateAudio',
		'ClipiaGenerateImage',
		'ClipiaGenerateVideo',
		'ClipiaWaitGeneration',
	]) {
		expect(files).toEqual(expect.arrayContaining([`dist/nodes/${node}/${node}.node.json`]));
	}
	expect(files).toEqual(
		expect.arrayContaining(['dist/icons/clipia.svg', 'dist/icons/clipia.dark.svg', 'dist/core/index.js']),
	);
	expect(files.some((file) => file.startsWith('test/') || file.startsWith('bridge/') || file.endsWith('.ts'))).toBe(
		false,
	);
	// n8n-node lint (n8n Cloud rules) over nodes/, credentials/, core/ and package.json…
	expect(report.nodeCliLint.problems).toEqual([]);
	expect(report.nodeCliLint.files).toBeGreaterThanOrEqual(25);
	// …and n8n's scanner over the sources and over the tarball.
	expect(report.scanSources).toEqual({ passed: true });
	expect(report.scanTarball).toEqual({ passed: true });
}, 120_000);

it("n8n's scanner, as the checks run it, catches what it would refuse: a raw rethrow in core, a non-literal boolean default", () => {
	const work = mkdtempSync(join(tmpdir(), 'clipia-scan-control-'));
	try {
		cpSync(join(root, 'package.json'), join(work, 'package.json'));
		mkdirSync(join(work, 'core'));
		writeFileSync(
			join(work, 'core', 'poll.ts'),
			'export async function poll(f: () => Promise<void>) {\n\ttry {\n\t\tawait f();\n\t} catch (error) {\n\t\tthrow error;\n\t}\n}\n',
		);
		mkdirSync(join(work, 'nodes'));
		writeFileSync(
			join(work, 'nodes', 'props.ts'),
			"export const wait = (on: boolean) => ({ displayName: 'Wait', name: 'wait', type: 'boolean', default: on, description: 'Whether to wait' });\n",
		);
		const script = `import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';
			console.log(JSON.stringify(await analyzePackage(process.argv[1], [...SOURCE_FILE_PATTERNS, 'core/**/*.ts'])));`;
		const run = spawnSync('node', ['--input-type=module', '-e', script, work], { cwd: root, env, encoding: 'utf8' });
		const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
		expect(result.passed).toBe(false);
		expect(result.details).toMatch(/require-node-api-error/);
		expect(result.details).toMatch(/node-param-default-wrong-for-boolean/);
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}, 60_000);
