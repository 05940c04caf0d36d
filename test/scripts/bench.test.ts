/** The benchmarks run outside jest (`npm run bench`): each of their modules loads there. */

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

it('every benchmark module loads in plain Node, as npm run bench runs it', () => {
	const modules = readdirSync(join(root, 'bench')).filter((name) => name.endsWith('.ts') && name !== 'index.ts');
	expect(modules.length).toBeGreaterThan(5);
	const load = modules.map((name) => `require('./bench/${name}');`).join(' ');
	const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', `${load} process.exit(0)`], {
		cwd: root,
		encoding: 'utf8',
		timeout: 60_000,
	});
	expect(run.stderr).toBe('');
	expect(run.status).toBe(0);
}, 90_000);
