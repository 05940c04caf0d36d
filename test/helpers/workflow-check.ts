/**
 * n8n drops a node parameter its description does not have, without a word: a Max Wait set
 * under Options on a node that has it at the top level is silently ignored. This checks the
 * Clipia nodes of a workflow against their descriptions, so a test workflow or an example
 * with a misplaced parameter fails where it is written.
 */

import type { INodeProperties, INodeType } from 'n8n-workflow';
import { loadNode } from './nodes';

const NODES: Record<string, INodeType> = {
	clipia: loadNode('Clipia'),
	clipiaGenerateAudio: loadNode('ClipiaGenerateAudio'),
	clipiaGenerateImage: loadNode('ClipiaGenerateImage'),
	clipiaGenerateVideo: loadNode('ClipiaGenerateVideo'),
	clipiaWaitGeneration: loadNode('ClipiaWaitGeneration'),
};

interface WorkflowNode {
	name?: string;
	type?: string;
	parameters?: Record<string, unknown>;
}

/** Each Clipia node parameter (and Options entry) its node does not define, as "node: name". */
export function unknownParameters(workflow: { nodes?: unknown }): string[] {
	const unknown: string[] = [];
	for (const node of (workflow.nodes ?? []) as WorkflowNode[]) {
		const type = /^n8n-nodes-clipia\.(clipia\w*?)(Tool)?$/.exec(node.type ?? '')?.[1];
		if (!type) continue;
		const described = NODES[type]?.description.properties;
		if (!described) {
			unknown.push(`${node.name ?? type}: no Clipia node ${type}`);
			continue;
		}
		for (const [name, value] of Object.entries(node.parameters ?? {})) {
			const property = described.find((candidate) => candidate.name === name);
			if (!property) {
				unknown.push(`${node.name ?? type}: ${name}`);
				continue;
			}
			if (property.type === 'collection' && value && typeof value === 'object')
				for (const option of Object.keys(value))
					if (!(property.options as INodeProperties[] | undefined)?.some((entry) => entry.name === option))
						unknown.push(`${node.name ?? type}: ${name}.${option}`);
		}
	}
	return unknown;
}

/** Throws, naming them, when any workflow sets a parameter its Clipia node does not have. */
export function assertKnownParameters(workflows: Array<{ id?: unknown; nodes?: unknown }>): void {
	const problems = workflows.flatMap((workflow) =>
		unknownParameters(workflow).map((problem) => `${String(workflow.id)} → ${problem}`),
	);
	if (problems.length) throw new Error(`Parameters n8n would silently drop: ${problems.join('; ')}`);
}
