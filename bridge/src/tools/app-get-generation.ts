import { getGeneration } from '../../../core';
import { generationResultShape, requestIdArgument } from './schemas';
import { z } from 'zod';
import { contextOf, defineTool, READ_ONLY } from './tool';

/**
 * The generation card's own tool (MCP Apps, visible to the app only): one look at a
 * generation, no wait, no download, no preview, with what this server remembers of it.
 */
export const appGetGenerationTool = defineTool({
	name: 'app_get_generation',
	title: 'Refresh a generation card',
	description:
		"Used by Clipia's generation card to show a running generation: its state now, without waiting or downloading, with the prompt and the expected run time when this server submitted it. Not for the model: use get_generation or wait_generation.",
	input: { request_id: requestIdArgument },
	output: {
		...generationResultShape,
		prompt: z.string().optional().describe('The prompt, when this server submitted the generation.'),
		expected_seconds: z
			.number()
			.optional()
			.describe('How long generations like this one ran here lately, in seconds, when known.'),
	},
	annotations: READ_ONLY,
	card: 'app-only',
	async run({ request_id }, call) {
		const result = await getGeneration(contextOf(call), { request_id });
		const note = call.client.key.notes.of(request_id);
		const expected = note && call.client.key.runTimes.expected(note.kind);
		return {
			structured: {
				...result,
				...(note?.prompt ? { prompt: note.prompt } : {}),
				...(expected ? { expected_seconds: Math.round(expected / 1000) } : {}),
			},
		};
	},
});
