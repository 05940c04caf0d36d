/** The package's node classes, for tests and benchmarks. */

import path from 'node:path';
import type { INodeType } from 'n8n-workflow';

/**
 * A node by its folder's name, from `X.node.ts` named in full: beside it sits the codex
 * `X.node.json`, which plain Node (the benchmarks) would otherwise load instead.
 */
export function loadNode(name: string): INodeType {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const exported = require(path.join(__dirname, '..', '..', 'nodes', name, `${name}.node.ts`)) as Record<
		string,
		new () => INodeType
	>;
	return new exported[name]();
}
