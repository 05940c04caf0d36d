/** The n8n package as n8n Cloud sees it: no runtime dependencies, the right files, n8n's scan green. */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

it('has no runtime dependencies, only the n8n-workflow peer', () => {
	expect(manifest.dependencies ?? {}).toEqual({});
	expect(manifest.peerDependencies).toEqual({ 'n8n-workflow': '*' });
});

it("packs the compiled nodes, credential, icons and codex files the n8n section lists, and passes n8n's scan", () => {
	const report = JSON.parse(execFileSync('node', [join(root, 'scripts', 'scan-package.mjs')], { cwd: root, encoding: 'utf8' }));
	const files: string[] = report.files;
	for (const entry of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) expect(files).toContain(entry);
	for (const node of ['ClipiaGenerateImage', 'ClipiaGenerateVideo', 'ClipiaWaitGeneration']) {
		expect(files).toEqual(
			expect.arrayContaining([`dist/nodes/${node}/${node}.node.json`, `dist/nodes/${node}/clipia.svg`, `dist/nodes/${node}/clipia.dark.svg`]),
		);
	}
	expect(files).toEqual(expect.arrayContaining(['dist/credentials/clipia.svg', 'dist/credentials/clipia.dark.svg', 'dist/core/index.js']));
	expect(files.some((file) => file.startsWith('test/') || file.startsWith('bridge/') || file.endsWith('.ts'))).toBe(false);
	expect(report.scan).toEqual({ passed: true });
});
