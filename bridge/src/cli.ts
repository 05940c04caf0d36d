#!/usr/bin/env node
/**
 * clipia-mcp-bridge: stdio by default (CLIPIA_API_KEY required), or `--http` for
 * Streamable HTTP at /mcp where each request brings its own key.
 */

import { normalizeBaseUrl } from '../../core';
import { createClient } from './api-transport';
import { startHttpServer } from './http-server';
import { stderrLogger as log } from './log';
import { mediaHandling } from './media';
import { createBridgeServer, serveStdio } from './sdk';
import { TOOLS } from './tools';
import { BRIDGE_NAME, BRIDGE_VERSION } from './version';

const USAGE = `Usage: ${BRIDGE_NAME} [--http] [--port 3333] [--host 127.0.0.1]

  (no flags)  serve MCP over stdio; needs CLIPIA_API_KEY
  --http      serve MCP over Streamable HTTP at http://<host>:<port>/mcp;
              each request authenticates with "Authorization: Bearer <clipia key>"

Environment:
  CLIPIA_API_KEY     your Clipia API key (stdio)
  CLIPIA_BASE_URL    API address (default https://api.clipia.ai)
  CLIPIA_OUTPUT_DIR  when set, finished media are saved there and listed in "files"`;

interface Arguments {
	http: boolean;
	port: number;
	host: string;
}

function parseArguments(argv: string[]): Arguments | string {
	const args: Arguments = { http: false, port: 3333, host: '127.0.0.1' };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const [flag, inline] = arg.split(/=(.*)/s, 2);
		const value = () => inline ?? argv[++i];
		if (flag === '--http') args.http = true;
		else if (flag === '--port') {
			const port = Number(value());
			if (!Number.isInteger(port) || port < 0 || port > 65535) return `--port takes a port number (0–65535).`;
			args.port = port;
		} else if (flag === '--host') {
			const host = value();
			if (!host) return '--host takes an address, e.g. 127.0.0.1.';
			args.host = host;
		} else if (flag === '--help' || flag === '-h') return 'help';
		else if (flag === '--version' || flag === '-v') return 'version';
		else return `Unknown option ${arg}.`;
	}
	return args;
}

/**
 * A setting from the environment, trimmed; empty is unset. So is a placeholder a host left
 * unfilled: Claude Desktop passes an optional extension setting the user left empty as the
 * literal text `${user_config.name}`.
 */
function setting(name: string): string | undefined {
	const value = process.env[name]?.trim();
	return value && !/^\$\{user_config\.[^}]*\}$/.test(value) ? value : undefined;
}

async function main(): Promise<number | undefined> {
	const args = parseArguments(process.argv.slice(2));
	if (args === 'help' || args === 'version') {
		process.stdout.write(`${args === 'help' ? USAGE : BRIDGE_VERSION}\n`);
		return 0;
	}
	if (typeof args === 'string') {
		log.error(`${args}\n${USAGE}`);
		return 2;
	}
	const baseUrl = setting('CLIPIA_BASE_URL');
	try {
		normalizeBaseUrl(baseUrl);
	} catch (error) {
		log.error(`CLIPIA_BASE_URL: ${(error as Error).message}`);
		return 2;
	}
	const media = mediaHandling({ outputDir: setting('CLIPIA_OUTPUT_DIR') });

	if (args.http) {
		const server = await startHttpServer({ host: args.host, port: args.port, baseUrl, tools: TOOLS, media, log });
		log.info(`${BRIDGE_NAME} ${BRIDGE_VERSION} serving Streamable HTTP at ${server.url}`);
		onSignals(() => server.close());
		return undefined;
	}

	const apiKey = setting('CLIPIA_API_KEY');
	if (!apiKey) {
		log.error(
			'CLIPIA_API_KEY is not set. Create a key at https://clipia.ai and pass it to the bridge, e.g.\n' +
				`  claude mcp add clipia --env CLIPIA_API_KEY=<your key> -- npx -y ${BRIDGE_NAME}`,
		);
		return 1;
	}
	const server = createBridgeServer({ tools: TOOLS, media, client: createClient(apiKey, baseUrl) });
	const stop = () => {
		// In-flight calls end with the process; a close that hangs does not hold it.
		setTimeout(() => process.exit(0), 1_000).unref();
		void server.close().finally(() => process.exit(0));
	};
	await serveStdio(server, stop);
	onSignals(() => server.close());
	return undefined;
}

/** SIGINT / SIGTERM: close what runs, then exit 0 (a second signal exits at once). */
function onSignals(close: () => Promise<void>): void {
	let closing = false;
	const stop = () => {
		if (closing) process.exit(1);
		closing = true;
		void close().finally(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().then(
	(code) => {
		if (code !== undefined) process.exitCode = code;
	},
	(error: unknown) => {
		log.error((error as Error)?.message ?? String(error));
		process.exitCode = 1;
	},
);
