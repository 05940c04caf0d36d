/**
 * `npm run bundle`: the bridge as a Claude Desktop extension, `build/clipia.mcpb`.
 *
 * The server is bundled into one file with its dependencies (esbuild), beside a manifest made
 * from the bridge's own package.json and tool list (so it can't drift from what the bridge
 * serves) and its icon; then `mcpb pack` (Anthropic's MCPB tool) zips the folder and checks
 * the manifest. Claude Desktop opens the file (double-click, or Settings → Extensions) and asks
 * for the API key, which it keeps in the system's keychain.
 */

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { TOOLS } from '../bridge/src/tools';

const root = join(__dirname, '..');
const bridge = JSON.parse(readFileSync(join(root, 'bridge', 'package.json'), 'utf8'));
export const BUNDLE_FOLDER = join(root, 'build', 'mcpb');
export const BUNDLE_FILE = join(root, 'build', 'clipia.mcpb');

/** The tools a person and the model see (the card's own tool is the card's business). */
export function modelTools() {
	return TOOLS.filter((tool) => tool.card !== 'app-only');
}

/** The extension's manifest (MCPB manifest 0.3). */
export function extensionManifest(): Record<string, unknown> {
	return {
		manifest_version: '0.3',
		name: bridge.name,
		display_name: 'Clipia',
		version: bridge.version,
		description: bridge.description,
		long_description:
			'Generate images and videos with Clipia (clipia.ai) from Claude: generate_image, generate_video, then wait_generation for the finished media; estimate_cost and get_balance before spending. Every generation spends credits on your Clipia account.',
		author: { name: 'Clipia', url: 'https://clipia.ai' },
		homepage: bridge.homepage,
		repository: { type: 'git', url: bridge.repository.url },
		icon: 'icon.png',
		server: {
			type: 'node',
			entry_point: 'server/index.js',
			mcp_config: {
				command: 'node',
				args: ['${__dirname}/server/index.js'],
				env: {
					CLIPIA_API_KEY: '${user_config.api_key}',
					CLIPIA_OUTPUT_DIR: '${user_config.output_dir}',
				},
			},
		},
		tools: modelTools().map((tool) => ({ name: tool.name, description: tool.description })),
		keywords: bridge.keywords,
		license: bridge.license,
		compatibility: { platforms: ['darwin', 'win32', 'linux'], runtimes: { node: bridge.engines.node } },
		user_config: {
			api_key: {
				type: 'string',
				title: 'Clipia API key',
				description: 'Create one at clipia.ai (Developer → API keys). Kept in your system keychain.',
				sensitive: true,
				required: true,
			},
			output_dir: {
				type: 'directory',
				title: 'Save media to',
				description: 'Optional: a folder where finished images and videos are saved, and listed in each result.',
				required: false,
			},
		},
	};
}

/** Builds the folder and packs it; returns the .mcpb's size in bytes. */
export async function bundle(log: (line: string) => void = () => undefined): Promise<number> {
	rmSync(BUNDLE_FOLDER, { recursive: true, force: true });
	mkdirSync(join(BUNDLE_FOLDER, 'server'), { recursive: true });
	await build({
		entryPoints: [join(root, 'bridge', 'src', 'cli.ts')],
		outfile: join(BUNDLE_FOLDER, 'server', 'index.js'),
		bundle: true,
		platform: 'node',
		format: 'cjs',
		target: `node${String(bridge.engines.node).replace(/[^\d.]/g, '')}`,
		minify: true,
		legalComments: 'eof',
		logLevel: 'warning',
	});
	writeFileSync(join(BUNDLE_FOLDER, 'manifest.json'), `${JSON.stringify(extensionManifest(), null, 2)}\n`);
	copyFileSync(join(root, 'bridge', 'icon.png'), join(BUNDLE_FOLDER, 'icon.png'));
	copyFileSync(join(root, 'LICENSE'), join(BUNDLE_FOLDER, 'LICENSE'));
	rmSync(BUNDLE_FILE, { force: true });
	const said = execFileSync(join(root, 'node_modules', '.bin', 'mcpb'), ['pack', BUNDLE_FOLDER, BUNDLE_FILE], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	log(said.trim());
	return statSync(BUNDLE_FILE).size;
}

if (require.main === module) {
	bundle(console.log).then(
		(bytes) => console.log(`${BUNDLE_FILE}: ${(bytes / 1024).toFixed(0)} KB`),
		(error: unknown) => {
			console.error((error as Error).message);
			process.exitCode = 1;
		},
	);
}
