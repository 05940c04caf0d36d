/**
 * bridge/server.json, what the MCP Registry lists: it names the registry's current schema
 * (2025-12-11) and meets it, and it says what bridge/package.json says. The rules are the
 * published schema's (https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json,
 * with the registry's changelog at github.com/modelcontextprotocol/registry,
 * docs/reference/server-json), written here as a zod schema of the fields the file uses: the
 * registry's own file is not on npm, and this machine reaches npm alone.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const SCHEMA_URL = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';
/** "Version ranges are rejected (e.g. '^1.2.3', '~1.2.3', '>=1.2.3', '1.x', '1.*')" and "latest". */
const exactVersion = z
	.string()
	.min(1)
	.max(255)
	.refine((version) => version !== 'latest' && !/[\^~<>=*|\s]|\.x\b|^x$/i.test(version), 'a version range');

const input = z
	.object({
		name: z.string().min(1),
		description: z.string().optional(),
		isRequired: z.boolean().optional(),
		isSecret: z.boolean().optional(),
		format: z.enum(['string', 'number', 'boolean', 'filepath']).optional(),
		value: z.string().optional(),
		default: z.string().optional(),
		placeholder: z.string().optional(),
		choices: z.array(z.string()).optional(),
	})
	.strict();

const serverJson = z
	.object({
		$schema: z.literal(SCHEMA_URL),
		name: z
			.string()
			.min(3)
			.max(200)
			.regex(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/),
		title: z.string().min(1).max(100).optional(),
		description: z.string().min(1).max(100),
		version: exactVersion,
		websiteUrl: z.string().url().optional(),
		repository: z
			.object({
				url: z.string().url(),
				source: z.string(),
				id: z.string().optional(),
				subfolder: z.string().optional(),
			})
			.strict()
			.optional(),
		packages: z
			.array(
				z
					.object({
						registryType: z.literal('npm'),
						registryBaseUrl: z.string().url().optional(),
						identifier: z.string().min(1),
						version: exactVersion,
						transport: z.object({ type: z.literal('stdio') }).strict(),
						environmentVariables: z.array(input).optional(),
					})
					.strict(),
			)
			.min(1),
	})
	.strict();

const bridge = join(__dirname, '..', '..', 'bridge');
const server = JSON.parse(readFileSync(join(bridge, 'server.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(bridge, 'package.json'), 'utf8'));

it('names the registry schema of 2025-12-11 and meets it', () => {
	const checked = serverJson.safeParse(server);
	expect(checked.success ? [] : checked.error.issues).toEqual([]);
});

it('the rules above refuse what the registry refuses', () => {
	const refused = (change: Record<string, unknown>) => !serverJson.safeParse({ ...server, ...change }).success;
	expect(refused({ name: 'clipia-mcp-bridge' })).toBe(true);
	expect(refused({ description: 'x'.repeat(101) })).toBe(true);
	expect(refused({ version: '^0.1.0' })).toBe(true);
	expect(refused({ packages: [{ ...server.packages[0], version: 'latest' }] })).toBe(true);
	expect(refused({ packages: [{ ...server.packages[0], transport: undefined }] })).toBe(true);
	expect(refused({ $schema: 'https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json' })).toBe(
		true,
	);
});

it("says what the bridge's package.json says: its registry name, version and npm package", () => {
	expect(server.name).toBe(manifest.mcpName);
	expect(server.version).toBe(manifest.version);
	expect(server.packages[0]).toMatchObject({ identifier: manifest.name, version: manifest.version });
	expect(server.repository.subfolder).toBe('bridge');
	expect(manifest.repository.url).toContain(server.repository.url.replace('https://', ''));
});
