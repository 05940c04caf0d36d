/**
 * `npm run release:check -- <package> [tag]`: what must hold before a version of a package is
 * tagged and published (the publish workflows run it too, with the tag):
 * - the version is semver, and the tag (when given) is `<package>-v<version>`;
 * - its CHANGELOG.md has a dated entry for that version (Keep a Changelog);
 * - the version is the same everywhere the package states it (package.json, the User-Agent or
 *   the version the bridge announces, server.json and its npm package);
 * - its tarball holds what it ships and nothing else, a LICENSE among it.
 * Prints each problem and exits 1 when there is one.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

const root = join(__dirname, '..');

export const PACKAGES = {
	'n8n-nodes-clipia': {
		folder: root,
		packArgs: [] as string[],
		/** What n8n loads: the compiled code and icons, and the package's own files. */
		ships: /^(dist\/(core|nodes|credentials|icons)\/.+\.(js|json|svg)|LICENSE|README\.md|package\.json|index\.js)$/,
	},
	'clipia-mcp-bridge': {
		folder: join(root, 'bridge'),
		packArgs: ['--workspace', 'bridge'],
		/** The compiled bridge and core, the registry's server.json, and the package's own files. */
		ships: /^(dist\/(bridge|core)\/.+\.js|server\.json|README\.md|LICENSE|package\.json)$/,
	},
} as const;

export type PackageName = keyof typeof PACKAGES;

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

/** The files `npm pack` would put in the package's tarball. */
export function tarballFiles(name: PackageName): string[] {
	const [pack] = JSON.parse(
		execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', ...PACKAGES[name].packArgs], {
			cwd: root,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
		}),
	) as Array<{ files: Array<{ path: string }> }>;
	return pack.files.map((file) => file.path);
}

/** Everything wrong with releasing `name` now (under `tag`, when given). */
export function releaseProblems(name: PackageName, tag?: string): string[] {
	const spec = PACKAGES[name];
	const manifest = json(join(spec.folder, 'package.json'));
	const version: string = manifest.version;
	const problems: string[] = [];
	if (manifest.name !== name) problems.push(`${spec.folder}/package.json names ${manifest.name}, not ${name}.`);
	if (!semver.valid(version)) problems.push(`${name}'s version "${version}" is not semver.`);
	if (tag !== undefined && tag !== `${name}-v${version}`)
		problems.push(`The tag ${tag} does not release ${name} ${version}: tag it ${name}-v${version}.`);

	const changelog = readFileSync(join(spec.folder, 'CHANGELOG.md'), 'utf8');
	const entry = new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\] - (\\d{4}-\\d{2}-\\d{2})$`, 'm').exec(changelog);
	if (!entry) problems.push(`${name}'s CHANGELOG.md has no "## [${version}] - YYYY-MM-DD" entry.`);

	const source = (file: string) => readFileSync(join(root, file), 'utf8');
	if (name === 'n8n-nodes-clipia') {
		const agent = /CORE_USER_AGENT = 'clipia-core\/([^']+)'/.exec(source('core/http/client.ts'))?.[1];
		if (agent !== version) problems.push(`core/http/client.ts tells Clipia version ${agent}, not ${version}.`);
	} else {
		const announced = /BRIDGE_VERSION = '([^']+)'/.exec(source('bridge/src/version.ts'))?.[1];
		if (announced !== version) problems.push(`bridge/src/version.ts announces ${announced}, not ${version}.`);
		const server = json(join(spec.folder, 'server.json'));
		if (server.version !== version) problems.push(`bridge/server.json is version ${server.version}, not ${version}.`);
		const npmPackage = server.packages?.find((entry: { registryType: string }) => entry.registryType === 'npm');
		if (npmPackage?.identifier !== name || npmPackage?.version !== version)
			problems.push(
				`bridge/server.json's npm package is ${npmPackage?.identifier}@${npmPackage?.version}, not ${name}@${version}.`,
			);
		if (server.name !== manifest.mcpName)
			problems.push(`bridge/server.json is named ${server.name}, package.json's mcpName ${manifest.mcpName}.`);
	}

	const files = tarballFiles(name);
	const stray = files.filter((file) => !spec.ships.test(file));
	if (stray.length) problems.push(`${name}'s tarball holds files it must not ship: ${stray.join(', ')}.`);
	for (const needed of ['LICENSE', 'README.md', 'package.json'])
		if (!files.includes(needed)) problems.push(`${name}'s tarball lacks ${needed}.`);
	return problems;
}

if (require.main === module) {
	const [name, tag] = process.argv.slice(2);
	if (!(name in PACKAGES)) {
		console.error(`Usage: npm run release:check -- <${Object.keys(PACKAGES).join('|')}> [tag]`);
		process.exit(2);
	}
	const problems = releaseProblems(name as PackageName, tag);
	for (const problem of problems) console.error(`- ${problem}`);
	if (problems.length) process.exit(1);
	console.log(`${name}: ready to release${tag ? ` as ${tag}` : ''}.`);
}
