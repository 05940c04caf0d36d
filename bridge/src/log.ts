/** Logs go to stderr only: on stdio, stdout is the protocol channel. Keys are redacted. */

import { redactSecrets } from '../../core';

export interface Logger {
	info(message: string): void;
	error(message: string): void;
}

export const stderrLogger: Logger = {
	info: (message) => process.stderr.write(`[clipia-mcp-bridge] ${redactSecrets(message)}\n`),
	error: (message) => process.stderr.write(`[clipia-mcp-bridge] error: ${redactSecrets(message)}\n`),
};
