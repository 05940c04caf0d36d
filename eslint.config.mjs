// typescript-eslint everywhere; n8n's community-node rules (the n8n Cloud set) on all code
// that ships inside the n8n package: core/, nodes/, credentials/ and package.json, for the
// editor. The checks that count run in scripts/n8n-checks.mjs with n8n's own configurations.
import js from '@eslint/js';
import n8nCommunityNodes from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{
		ignores: [
			'dist/**',
			'bridge/dist/**',
			'node_modules/**',
			'coverage/**',
			'**/*.js',
			'!gulpfile.js',
			'!scripts/**/*.js',
		],
	},
	js.configs.recommended,
	...tseslint.configs.recommended,
	{
		files: ['**/*.ts'],
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
		},
	},
	{
		files: ['core/**/*.ts', 'nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'],
		...n8nCommunityNodes.configs.recommended,
	},
	// The rules `n8n-node lint` and n8n's package scan apply to node and credential sources.
	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	{
		files: ['package.json'],
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		// The package.json rules read the manifest as the TypeScript parser sees a .json file.
		files: ['package.json'],
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
		rules: { 'no-unused-expressions': 'off', '@typescript-eslint/no-unused-expressions': 'off' },
	},
	{
		// core must stay free of n8n, MCP and HTTP libraries: each surface hands it its own.
		files: ['core/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					paths: ['axios', 'zod', 'fs', 'http', 'https', 'crypto', 'n8n-workflow', 'n8n-core'],
					patterns: ['n8n-*', '@n8n/*', '@modelcontextprotocol/*', 'node:*'],
				},
			],
		},
	},
	{
		files: ['scripts/**/*.{js,mjs}'],
		languageOptions: {
			globals: {
				console: 'readonly',
				process: 'readonly',
				require: 'readonly',
				module: 'writable',
				__dirname: 'readonly',
			},
		},
	},
	{
		files: ['gulpfile.js', 'scripts/**/*.js'],
		languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
		rules: { '@typescript-eslint/no-require-imports': 'off' },
	},
);
