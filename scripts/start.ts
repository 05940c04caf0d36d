/**
 * `npm start`: a local n8n with these nodes loaded, the credential and the example
 * workflows imported. Without CLIPIA_API_KEY the credential points at a local Clipia
 * emulator started here; with it, at the real Clipia (CLIPIA_BASE_URL to override).
 * Ctrl-C stops everything this started.
 */

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClipiaEmulator, DEMO_KEYS } from '../test/emulator/server';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtime = require('./n8n-runtime.js') as {
	ensureN8n(): string;
	prepareUserFolder(folder?: string): string;
	n8n(folder: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
	n8nEnv(folder: string, extra?: Record<string, string>): NodeJS.ProcessEnv;
	cacheRoot: string;
};

const root = join(__dirname, '..');
const port = Number(process.env.N8N_PORT ?? 5678);

async function main(): Promise<void> {
	console.log('Building the package…');
	execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
	const n8nBin = runtime.ensureN8n();

	let emulator: ClipiaEmulator | undefined;
	let apiKey = process.env.CLIPIA_API_KEY;
	let baseUrl = process.env.CLIPIA_BASE_URL ?? 'https://api.clipia.ai';
	if (!apiKey) {
		emulator = new ClipiaEmulator({ timeScale: Number(process.env.CLIPIA_EMULATOR_TIME_SCALE ?? 10) });
		baseUrl = await emulator.start(Number(process.env.CLIPIA_EMULATOR_PORT ?? 4010));
		apiKey = DEMO_KEYS.live;
		console.log(`Local Clipia emulator on ${baseUrl} (no CLIPIA_API_KEY set; nothing real is generated)`);
	}

	// A fresh user folder each start, so the freshly built package is the one loaded.
	const folder = join(runtime.cacheRoot, 'start-user-folder');
	rmSync(folder, { recursive: true, force: true });
	mkdirSync(folder, { recursive: true });
	runtime.prepareUserFolder(folder);
	const credentials = [{ id: 'clipiaCredential1', name: 'Clipia account', type: 'clipiaApi', data: { apiKey, baseUrl } }];
	writeFileSync(join(folder, 'credentials.json'), JSON.stringify(credentials));
	const credential = await runtime.n8n(folder, ['import:credentials', `--input=${join(folder, 'credentials.json')}`]);
	rmSync(join(folder, 'credentials.json'));
	const workflows = await runtime.n8n(folder, ['import:workflow', '--separate', `--input=${join(root, 'examples')}`]);
	for (const [what, step] of [['the credential', credential], ['the example workflows', workflows]] as const) {
		if (step.code !== 0) throw new Error(`Importing ${what} into n8n failed: ${(step.stderr || step.stdout).slice(-600)}`);
	}
	console.log(`Imported the "Clipia account" credential and ${readdirSync(join(root, 'examples')).filter((name) => name.endsWith('.json')).length} example workflows.`);

	const n8n = spawn(n8nBin, ['start'], { env: runtime.n8nEnv(folder, { N8N_PORT: String(port) }), stdio: ['ignore', 'pipe', 'inherit'] });
	n8n.stdout.on('data', (chunk: Buffer) => {
		process.stdout.write(chunk);
		if (chunk.toString().includes('Editor is now accessible')) {
			console.log(`\n  ➜ Open http://localhost:${port} — create the owner account, then open the "Clipia" example workflows.\n`);
		}
	});
	const stop = () => {
		n8n.kill('SIGTERM');
		void emulator?.stop();
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	n8n.on('exit', (code) => {
		void emulator?.stop().then(() => process.exit(code ?? 0));
		if (!emulator) process.exit(code ?? 0);
	});
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
