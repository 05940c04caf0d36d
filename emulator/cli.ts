/**
 * `npm run emulator -- [--port 4010] [--host 127.0.0.1] [--time-scale 1] [--workers N]
 *  [--video-bytes N] [--no-progress] [--refusals projected|running] [--verbose]`: a local
 *  Clipia for manual tries. `--refusals` picks how a submit over a key's generations at once
 *  is refused (see RefusalPolicy in keys.ts).
 */

import { ClipiaEmulator, DEMO_KEYS, type RefusalPolicy } from './server';

function flag(name: string): string | undefined {
	const index = process.argv.indexOf(`--${name}`);
	return index >= 0 ? process.argv[index + 1] : undefined;
}

function refusalsFlag(): RefusalPolicy | undefined {
	const given = flag('refusals');
	if (given === undefined || given === 'projected' || given === 'running') return given;
	throw new Error(`--refusals takes projected or running, not ${given}`);
}

async function main(): Promise<void> {
	const emulator = new ClipiaEmulator({
		timeScale: Number(flag('time-scale') ?? 1),
		workers: flag('workers') ? Number(flag('workers')) : undefined,
		videoBytes: flag('video-bytes') ? Number(flag('video-bytes')) : undefined,
		reportProgress: !process.argv.includes('--no-progress'),
		refusals: refusalsFlag(),
		verbose: process.argv.includes('--verbose'),
	});
	const url = await emulator.start(Number(flag('port') ?? 4010), flag('host') ?? '127.0.0.1');
	console.log(`Clipia emulator listening on ${url} (time scale ${emulator.options.timeScale}×)`);
	console.log(`  live key:      ${DEMO_KEYS.live}`);
	console.log(`  sandbox key:   ${DEMO_KEYS.test}`);
	console.log(`  read-only key: ${DEMO_KEYS.readOnly}`);
	console.log(`  no-credit key: ${DEMO_KEYS.poor}`);
	const stop = () => void emulator.stop().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

void main();
