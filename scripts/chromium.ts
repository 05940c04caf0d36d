/**
 * The browser the editor suite drives: Debian's Chromium (never a browser download). When it
 * is missing, `install` installs it with apt-get (as root), saying so.
 */

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
	Boolean,
) as string[];

export function chromiumPath(): string | undefined {
	return CANDIDATES.find((path) => existsSync(path));
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
	const root = process.getuid?.() === 0;
	if (!root || !existsSync('/usr/bin/apt-get')) {
		throw new Error(
			"The browser suite needs Chromium. Install Debian's package (sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.",
		);
	}
	log("Installing Debian's chromium package for the browser suite (once per machine, about 2 minutes)…");
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
	execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-dejavu-core'], {
		stdio: 'inherit',
		env,
	});
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
