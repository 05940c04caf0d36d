/**
 * `npm start`: a local n8n with these nodes loaded, the credentials and the example
 * workflows imported, and an owner account to sign in with. Without CLIPIA_API_KEY the
 * credential points at a local Clipia emulator started here; with it, at the real Clipia
 * (CLIPIA_BASE_URL to override). Serves the newest n8n line; `npm start -- --n8n 2.8.4`
 * the Node 20 line. Ctrl-C stops everything this started.
 */

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LOCAL_OWNER, startLocalN8n } from './local-n8n';
import { NEWEST_LINE } from './n8n-runtime';

async function main(): Promise<void> {
	const { values } = parseArgs({ options: { n8n: { type: 'string', default: NEWEST_LINE } } });
	const started = Date.now();
	const log = (line: string) => console.log(line);
	log('Building the package…');
	execFileSync('npm', ['run', 'build', '--silent'], { cwd: join(__dirname, '..'), stdio: 'inherit' });
	const env = process.env;
	const local = await startLocalN8n({
		line: values.n8n!,
		port: Number(env.N8N_PORT ?? 5678),
		portChosen: env.N8N_PORT !== undefined,
		emulatorPort: env.CLIPIA_EMULATOR_PORT === undefined ? undefined : Number(env.CLIPIA_EMULATOR_PORT),
		emulatorTimeScale: Number(env.CLIPIA_EMULATOR_TIME_SCALE ?? 10),
		apiKey: env.CLIPIA_API_KEY,
		baseUrl: env.CLIPIA_BASE_URL,
		webhookSecret: env.CLIPIA_WEBHOOK_SECRET,
		log,
		echo: (chunk) => process.stdout.write(chunk),
	});
	log(`
  ➜ n8n ${local.line} is ready at ${local.url} (${Math.round((Date.now() - started) / 1000)} s)
    Sign in as ${LOCAL_OWNER.email} with password ${LOCAL_OWNER.password}
    Then open a "Clipia" example workflow and press Execute workflow. Ctrl-C stops everything.
`);
	let stopping = false;
	const stop = () => {
		if (stopping) return;
		stopping = true;
		void local.stop().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	const code = await local.exited;
	if (!stopping) {
		await local.stop();
		process.exit(code);
	}
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? error.message : error);
	process.exit(1);
});
