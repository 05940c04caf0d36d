/**
 * The Claude Desktop extension (`npm run bundle` → build/clipia.mcpb): its manifest passes
 * `mcpb validate`, lists exactly the tools the bridge serves, and the packed server runs on its
 * own, unpacked into an empty folder outside the repository (no node_modules beside it), driven
 * by a real MCP client over stdio as Claude Desktop starts it.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { TOOLS } from '../../bridge/src/tools';
import { DEMO_KEYS } from '../../emulator/server';
import { BUNDLE_FILE, BUNDLE_FOLDER, bundle, modelTools } from '../../scripts/bundle';
import { useEmulator } from '../helpers/emulator';

const root = join(__dirname, '..', '..');
const mcpb = join(root, 'node_modules', '.bin', 'mcpb');
/** What the README promises the download weighs at most. */
const SIZE_BUDGET_BYTES = 400 * 1024;

const emulator = useEmulator({ timeScale: 20, runSeconds: { image: 8, video: 40 } });
let bytes = 0;
let unpacked = '';

beforeAll(async () => {
	bytes = await bundle();
	unpacked = mkdtempSync(join(tmpdir(), 'clipia-mcpb-'));
	execFileSync(mcpb, ['unpack', BUNDLE_FILE, unpacked], { stdio: 'ignore' });
}, 120_000);

afterAll(() => rmSync(unpacked, { recursive: true, force: true }));

it('builds, within its size budget, and its manifest passes mcpb validate', () => {
	expect(bytes).toBeLessThan(SIZE_BUDGET_BYTES);
	const said = execFileSync(mcpb, ['validate', join(BUNDLE_FOLDER, 'manifest.json')], { encoding: 'utf8' });
	expect(said).toMatch(/Manifest schema validation passes/);
	expect(readdirSync(unpacked).sort()).toEqual(['LICENSE', 'icon.png', 'manifest.json', 'server']);
});

it('asks for the API key as a sensitive setting and the output folder as an optional directory; lists the served tools', () => {
	const manifest = JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8'));
	const bridge = JSON.parse(readFileSync(join(root, 'bridge', 'package.json'), 'utf8'));
	expect(manifest.version).toBe(bridge.version);
	expect(manifest.user_config.api_key).toMatchObject({ type: 'string', sensitive: true, required: true });
	expect(manifest.user_config.output_dir).toMatchObject({ type: 'directory', required: false });
	expect(manifest.server.mcp_config.env).toEqual({
		CLIPIA_API_KEY: '${user_config.api_key}',
		CLIPIA_OUTPUT_DIR: '${user_config.output_dir}',
	});
	expect(manifest.tools).toEqual(modelTools().map((tool) => ({ name: tool.name, description: tool.description })));
});

it('the packed server runs alone: tools listed, an image generated; an output folder left empty is unset', async () => {
	const manifest = JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8'));
	const transport = new StdioClientTransport({
		command: process.execPath,
		args: manifest.server.mcp_config.args.map((arg: string) => arg.replace('${__dirname}', unpacked)),
		cwd: unpacked,
		// As Claude Desktop starts it when the user gave a key and no folder.
		env: {
			PATH: process.env.PATH ?? '',
			CLIPIA_API_KEY: DEMO_KEYS.live,
			CLIPIA_OUTPUT_DIR: '${user_config.output_dir}',
			CLIPIA_BASE_URL: emulator.url,
		},
		stderr: 'pipe',
	});
	const client = new Client({ name: 'mcpb-test', version: '1.0.0' });
	await client.connect(transport);
	const { tools } = await client.listTools();
	expect(tools.map((tool) => tool.name)).toEqual(TOOLS.map((tool) => tool.name));
	const answer = (await client.callTool({ name: 'generate_image', arguments: { prompt: 'a lighthouse' } })) as {
		structuredContent: Record<string, unknown>;
		isError?: boolean;
	};
	expect(answer.isError).toBeFalsy();
	expect(answer.structuredContent).toMatchObject({ status: 'COMPLETED' });
	expect(answer.structuredContent.files).toBeUndefined();
	await client.close();
}, 60_000);
