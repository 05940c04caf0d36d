/**
 * Every workflow the project ships or tests with sets only parameters its Clipia nodes have:
 * n8n would drop any other without a word (a Max Wait under Options on Wait Generation, say).
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLES_DIR } from '../../scripts/local-n8n';
import { unknownParameters } from '../helpers/workflow-check';

const examples = readdirSync(EXAMPLES_DIR).filter((name) => name.endsWith('.json'));

it.each(examples)('example %s sets only parameters its Clipia nodes have', (name) => {
	const workflow = JSON.parse(readFileSync(join(EXAMPLES_DIR, name), 'utf8'));
	expect(workflow.nodes.some((node: { type: string }) => node.type.startsWith('n8n-nodes-clipia.'))).toBe(true);
	expect(unknownParameters(workflow)).toEqual([]);
});

it('notices a parameter in the wrong place, an unknown option and an unknown parameter', () => {
	const workflow = {
		nodes: [
			{
				name: 'Wait',
				type: 'n8n-nodes-clipia.clipiaWaitGeneration',
				parameters: { requestId: '={{ $json.request_id }}', options: { maxWaitSeconds: 900, maxConcurrency: 4 } },
			},
			{
				name: 'Video',
				type: 'n8n-nodes-clipia.clipiaGenerateVideoTool',
				parameters: { prompt: 'waves', maxWaitSeconds: 60, options: { maxWaitSeconds: 60, speed: 2 } },
			},
			{ name: 'Other', type: 'n8n-nodes-base.set', parameters: { anything: 1 } },
		],
	};
	expect(unknownParameters(workflow)).toEqual([
		'Wait: options.maxWaitSeconds',
		'Video: maxWaitSeconds',
		'Video: options.speed',
	]);
});
