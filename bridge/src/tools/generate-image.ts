import { generateImage, IMAGE_FIELDS } from '../../../core';
import { presentGeneration, progressReporter } from './finish';
import { argumentsFromFields, generationResultShape, includePreviewArgument, waitSecondsArgument } from './schemas';
import { contextOf, defineTool, SPENDS_CREDITS } from './tool';

const DEFAULT_WAIT_SECONDS = 25;

export const generateImageTool = defineTool({
	name: 'generate_image',
	title: 'Generate image',
	description:
		'Generate images from a text prompt with Clipia (optionally edit or restyle up to 4 reference images given as https URLs). ' +
		'Spends credits (see estimate_cost). Waits up to wait_seconds: a finished result has the image URLs and a small inline preview; ' +
		'if it is still running, the answer has request_id and next_step: call wait_generation with that request_id.',
	input: {
		...argumentsFromFields(IMAGE_FIELDS),
		include_preview: includePreviewArgument,
		wait_seconds: waitSecondsArgument(DEFAULT_WAIT_SECONDS),
	},
	output: generationResultShape,
	annotations: SPENDS_CREDITS,
	card: 'shown',
	waitSeconds: ({ wait_seconds }) => wait_seconds ?? DEFAULT_WAIT_SECONDS,
	async run({ include_preview, wait_seconds, ...params }, call) {
		const result = await generateImage(contextOf(call), params, {
			waitSeconds: wait_seconds ?? DEFAULT_WAIT_SECONDS,
			onUpdate: progressReporter(call),
		});
		return presentGeneration(result, call, include_preview);
	},
});
