// The real n8n the end-to-end suite and `npm start` run: n8n@2.8.4 (the newest that runs on
// Node 20) installed once into a cache folder outside the repository and reused.
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const { existsSync, mkdirSync, writeFileSync, mkdtempSync } = require('node:fs');
const { homedir, tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const N8N_VERSION = '2.8.4';
const cacheRoot = process.env.CLIPIA_N8N_CACHE || join(homedir(), '.cache', 'n8n-nodes-clipia');
const n8nDir = join(cacheRoot, `n8n-${N8N_VERSION}`);
const n8nBin = join(n8nDir, 'node_modules', '.bin', 'n8n');
const repoRoot = resolve(__dirname, '..');

/** Installs n8n into the cache unless it is there (first run: ~8 minutes, ~2.3 GB). */
function ensureN8n(log = console.error) {
	if (existsSync(join(n8nDir, '.complete')) && existsSync(n8nBin)) return n8nBin;
	mkdirSync(n8nDir, { recursive: true });
	log(`Installing n8n@${N8N_VERSION} into ${n8nDir} (first run only: 5 to 10 minutes, 2.3 GB)…`);
	writeFileSync(
		join(n8nDir, 'package.json'),
		JSON.stringify({
			name: 'n8n-runtime-cache',
			private: true,
			dependencies: { n8n: N8N_VERSION },
			// n8n's default xlsx comes from a CDN; this registry build is the same library.
			overrides: { xlsx: 'npm:@e965/xlsx@0.20.3' },
		}),
	);
	execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: n8nDir, stdio: 'inherit' });
	writeFileSync(join(n8nDir, '.complete'), new Date().toISOString());
	return n8nBin;
}

/** A fresh n8n user folder with this package (packed from dist/) as a community node. */
function prepareUserFolder(folder = mkdtempSync(join(tmpdir(), 'clipia-n8n-'))) {
	const nodesDir = join(folder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	const packed = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', folder], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
	);
	writeFileSync(join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }));
	execFileSync('npm', ['install', '--no-audit', '--no-fund', '--legacy-peer-deps', '--loglevel=error', join(folder, packed[0].filename)], {
		cwd: nodesDir,
		stdio: 'ignore',
	});
	return folder;
}

/** Environment for a headless n8n on `folder`. */
function n8nEnv(folder, extra = {}) {
	return {
		...process.env,
		N8N_USER_FOLDER: folder,
		N8N_ENCRYPTION_KEY: 'clipia-local-encryption-key',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
		N8N_SECURE_COOKIE: 'false',
		// Under NODE_ENV=test (as in jest) n8n prints nothing.
		NODE_ENV: 'production',
		...extra,
	};
}

/** Runs an n8n CLI command; resolves with its stdout. */
function n8n(folder, args, extraEnv) {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(ensureN8n(), args, { env: n8nEnv(folder, extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		child.on('error', reject);
		child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
	});
}

module.exports = { N8N_VERSION, ensureN8n, prepareUserFolder, n8nEnv, n8n, n8nBin, cacheRoot };
