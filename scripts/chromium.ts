/**
 * The browser the editor suite drives: Debian's Chromium (never a browser download), installed
 * when missing through the project's one system-packages step (scripts/system-packages.ts).
 */

import { execFileSync } from 'node:child_process';
import { ensureSystemPrograms, findProgram } from './system-packages';

export function chromiumPath(): string | undefined {
	return findProgram('chromium');
}

/** Flags for a headless Chromium on a machine with a closed network (no background calls out). */
export const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--autoplay-policy=no-user-gesture-required',
];

export function ensureChromium(log: (line: string) => void = console.log): string {
	const found = chromiumPath();
	if (found) return found;
	ensureSystemPrograms(['chromium', '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'], log);
	const installed = chromiumPath();
	if (!installed) throw new Error('apt-get installed chromium, but no chromium binary was found.');
	log(`Chromium: ${execFileSync(installed, ['--version'], { encoding: 'utf8' }).trim()}`);
	return installed;
}

if (require.main === module) {
	try {
		console.log(`Browser for the editor suite: ${ensureChromium()}`);
	} catch (error) {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	}
}
