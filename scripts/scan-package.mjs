// Packs the n8n package, unpacks the tarball and runs n8n's own community-package scan
// (`analyzePackage` of @n8n/scan-community-package) on it. Prints a JSON report; exits 1
// when the scan fails. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyzePackage } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'clipia-scan-'));
try {
	const output = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
	const [{ filename, files }] = JSON.parse(output);
	execFileSync('tar', ['-xzf', join(work, filename), '-C', work]);
	const result = await analyzePackage(join(work, 'package'));
	console.log(JSON.stringify({ tarball: filename, files: files.map((f) => f.path), scan: result }, null, 1));
	process.exitCode = result.passed ? 0 : 1;
} finally {
	rmSync(work, { recursive: true, force: true });
}
