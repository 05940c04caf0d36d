/**
 * Checked-in JSON snapshots, one file per tool or node (as github-mcp-server keeps its tool
 * schemas): a change to what users and models see is a visible diff in review. Keys are
 * sorted and fields the MCP SDK adds on its own are dropped, so only our changes show.
 * `UPDATE_SNAPSHOTS=1` rewrites them; a missing snapshot fails.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Set by the SDK, not by us: they would change the snapshots on an SDK upgrade alone. */
const SDK_OWNED = new Set(['execution', '$schema']);

function normalized(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(normalized);
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.keys(value)
				.filter((key) => !SDK_OWNED.has(key) && (value as Record<string, unknown>)[key] !== undefined)
				.sort()
				.map((key) => [key, normalized((value as Record<string, unknown>)[key])]),
		);
	}
	return value;
}

export function expectFileSnapshot(folder: string, name: string, value: unknown): void {
	const file = path.join(folder, `${name}.json`);
	const text = `${JSON.stringify(normalized(value), null, '\t')}\n`;
	if (process.env.UPDATE_SNAPSHOTS === '1') {
		mkdirSync(folder, { recursive: true });
		writeFileSync(file, text);
		return;
	}
	if (!existsSync(file))
		throw new Error(
			`No snapshot ${path.relative(process.cwd(), file)}: run the test with UPDATE_SNAPSHOTS=1 to write it, and review it.`,
		);
	expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}
