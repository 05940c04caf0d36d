import { waitGeneration } from '../../../core';
import { presentGeneration, progressReporter } from './finish';
import { generationResultShape, includePreviewArgument, requestIdArgument, waitSecondsArgument } from './schemas';
import { contextOf, defineTool, READ_ONLY } from './tool';

const DEFAULT_WAIT_SECONDS = 30;

export const waitGenerationTool = defineTool({
	name: 'wait_generation',
	title: 'Wait for a generation',
	description:
		'Wait for a Clipia generation (image, video or audio) to finish, up to wait_seconds, and return its state: COMPLETED with media URLs, ' +
		'FAILED/CANCELED with the error (credits refunded), or still running with next_step (call this again). Spends nothing.',
	input: {
		request_id: requestIdArgument,
		wait_seconds: waitSecondsArgument(DEFAULT_WAIT_SECONDS),
		include_preview: includePreviewArgument,
	},
	output: generationResultShape,
	annotations: READ_ONLY,
	card: 'shown',
	waitSeconds: ({ wait_seconds }) => wait_seconds ?? DEFAULT_WAIT_SECONDS,
	async run({ request_id, wait_seconds, include_preview }, call) {
		const result = await waitGeneration(contextOf(call), {
			request_id,
			wait_seconds: wait_seconds ?? DEFAULT_WAIT_SECONDS,
			onUpdate: progressReporter(call),
		});
		return presentGeneration(result, call, include_preview);
	},
});
