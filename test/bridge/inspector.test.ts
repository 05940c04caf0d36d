/**
 * The bridge as the MCP Inspector's CLI sees it (the pinned version, scripts/inspector.ts):
 * tools/list under --strict (its schema portability checks: an error fails the run, and we
 * allow no warning either), the card resource, resource templates, and the card's MCP Apps
 * metadata as a host would probe it. The real bridge process, over stdio, against the emulator.
 */

import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOOLS } from '../../bridge/src/tools';
import { DEMO_KEYS } from '../../emulator/server';
import { ensureInspector, type Inspector } from '../../scripts/inspector';
import { useEmulator } from '../helpers/emulator';

const emulator = useEmulator({ timeScale: 20, runSeconds: { image: 8, video: 40 } });
const bridgeCli = join(__dirname, '..', '..', 'bridge', 'dist', 'bridge', 'src', 'cli.js');
let inspector: Inspector;

beforeAll(async () => {
	inspector = await ensureInspector();
}, 10 * 60_000);

function inspect(...args: string[]): { status: number | null; stdout: string; stderr: string } {
	const answer = spawnSync(
		inspector.node,
		[
			inspector.script,
			'--cli',
			...args,
			'-e',
			`CLIPIA_API_KEY=${DEMO_KEYS.live}`,
			'-e',
			`CLIPIA_BASE_URL=${emulator.url}`,
			process.execPath,
			bridgeCli,
		],
		{
			encoding: 'utf8',
			timeout: 60_000,
			env: { ...process.env, MCP_CATALOG_PATH: join(tmpdir(), 'clipia-test-inspector-catalog.json') },
		},
	);
	return { status: answer.status, stdout: answer.stdout, stderr: answer.stderr };
}

it('tools/list --strict: every tool, no schema portability problem', () => {
	const run = inspect('--strict', '--method', 'tools/list');
	// With --strict it reports each problem (path, issue, fix) on stderr, and nothing when there is none.
	expect(run.stderr.trim()).toBe('');
	expect(run.status).toBe(0);
	const { tools } = JSON.parse(run.stdout) as { tools: Array<{ name: string }> };
	expect(tools.map((tool) => tool.name)).toEqual(TOOLS.map((tool) => tool.name));
});

it('resources/list: the generation card; resources/templates/list: none, without error', () => {
	const resources = inspect('--method', 'resources/list');
	expect(resources.status).toBe(0);
	expect(JSON.parse(resources.stdout).resources).toEqual([
		expect.objectContaining({ uri: 'ui://clipia/generation', mimeType: 'text/html;profile=mcp-app' }),
	]);
	const templates = inspect('--method', 'resources/templates/list');
	expect(templates.status).toBe(0);
	expect(JSON.parse(templates.stdout).resourceTemplates).toEqual([]);
});

it("the card's MCP Apps metadata, as a host probes it: its resource and content policy", () => {
	const probe = inspect('--advertise-apps', '--app-info', '--method', 'tools/call', '--tool-name', 'generate_video');
	expect(probe.status).toBe(0);
	const info = JSON.parse(probe.stdout.trim().split('\n').at(-1)!);
	expect(info).toMatchObject({ resourceUri: 'ui://clipia/generation' });
	expect(JSON.stringify(info)).toContain(new URL(emulator.url).origin);
});
