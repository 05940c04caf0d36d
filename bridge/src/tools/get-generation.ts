import { getGeneration } from '../../../core';
import { presentGeneration } from './finish';
import { generationResultShape, includePreviewArgument, requestIdArgument } from './schemas';
import { contextOf, defineTool, READ_ONLY } from './tool';

export const getGenerationTool = defineTool({
	name: 'get_generation',
	title: 'Get a generation',
	description:
		'Check a Clipia generation once, without waiting: its status, progress, and when finished its media URLs or error. Spends nothing.',
	input: { request_id: requestIdArgument, include_preview: includePreviewArgument },
	output: generationResultShape,
	annotations: READ_ONLY,
	card: 'shown',
	async run({ request_id, include_preview }, call) {
		const result = await getGeneration(contextOf(call), { request_id });
		return presentGeneration(result, call, include_preview);
	},
});
