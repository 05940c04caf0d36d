import { generateVideo, VIDEO_FIELDS } from '../../../core';
import { argumentsFromFields, generationResultShape } from './schemas';
import { contextOf, defineTool, SPENDS_CREDITS } from './tool';

export const generateVideoTool = defineTool({
	name: 'generate_video',
	title: 'Generate video',
	description:
		'Start a video generation with Clipia from a text prompt, or from a start image (image_url, https) for image-to-video. ' +
		'Spends credits (see estimate_cost). Returns at once with request_id and cost_credits: videos take a minute or more, ' +
		'so then call wait_generation with that request_id until the status is COMPLETED.',
	input: argumentsFromFields(VIDEO_FIELDS),
	output: generationResultShape,
	annotations: SPENDS_CREDITS,
	card: 'shown',
	async run(params, call) {
		const result = await generateVideo(contextOf(call), params, {
			waitSeconds: 0,
		});
		return { structured: { ...result } };
	},
});
