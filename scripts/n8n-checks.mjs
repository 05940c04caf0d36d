// n8n's own verification checks, run the way n8n runs them, over what the n8n package ships:
//  1. `n8n-node lint`: the configuration @n8n/node-cli gives strict (n8n Cloud) packages, over
//     nodes/, credentials/, core/ and package.json;
//  2. `analyzePackage` of @n8n/scan-community-package over the sources (n8n's scanner lints the
//     source its provenance points at) and core/;
//  3. the same scan over the packed tarball, as the scanner does it (compiled .js, package.json).
// Inline eslint-disable comments count for nothing, as in n8n's scanner. Prints a JSON report
// and exits 1 when any check fails. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { config as nodeCliConfig } from '@n8n/node-cli/eslint';
import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';
import { ESLint } from 'eslint';

const root = resolve(import.meta.dirname, '..');
const SHIPPED = ['nodes/**/*.ts', 'credentials/**/*.ts', 'core/**/*.ts', 'package.json'];

async function nodeCliLint() {
	const eslint = new ESLint({
		cwd: root,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: nodeCliConfig,
	});
	const results = await eslint.lintFiles(SHIPPED);
	const problems = results.flatMap((result) =>
		result.messages.map(
			(m) => `${relative(root, result.filePath)}:${m.line}:${m.column} ${m.ruleId ?? 'parse'} ${m.message}`,
		),
	);
	return { files: results.length, passed: results.every((r) => r.errorCount === 0 && r.warningCount === 0), problems };
}

function packed() {
	const work = mkdtempSync(join(tmpdir(), 'clipia-scan-'));
	const output = execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
		cwd: root,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'ignore'],
	});
	const [{ filename, files }] = JSON.parse(output);
	execFileSync('tar', ['-xzf', join(work, filename), '-C', work]);
	return { work, dir: join(work, 'package'), filename, files: files.map((f) => f.path) };
}

const tarball = packed();
try {
	const report = {
		tarball: tarball.filename,
		files: tarball.files,
		nodeCliLint: await nodeCliLint(),
		scanSources: await analyzePackage(root, [...SOURCE_FILE_PATTERNS, 'core/**/*.ts']),
		scanTarball: await analyzePackage(tarball.dir, ['**/*.js', 'package.json']),
	};
	console.log(JSON.stringify(report, null, 1));
	process.exitCode = report.nodeCliLint.passed && report.scanSources.passed && report.scanTarball.passed ? 0 : 1;
} finally {
	rmSync(tarball.work, { recursive: true, force: true });
}
