/**
 * What n8n's AI workflow builder reads to pick a node (`builderHint`, n8n-workflow's
 * IBuilderHint in the newest line): when to use it, and the nodes it works with. n8n 2.8.4's
 * types lack the field and its editor ignores it; the descriptions carry it either way.
 */

import type { INodeTypeDescription } from 'n8n-workflow';

const WAIT_NODE = 'n8n-nodes-clipia.clipiaWaitGeneration';

interface BuilderHint {
	searchHint: string;
	relatedNodes?: Array<{ nodeType: string; relationHint: string }>;
}

/** The field, spread into a description (typed so older n8n-workflow typings accept it). */
function hint(builderHint: BuilderHint): Partial<INodeTypeDescription> {
	return { builderHint } as Partial<INodeTypeDescription>;
}

export const imageBuilderHint = hint({
	searchHint:
		'Generate images with AI (Clipia) from a text prompt, optionally with reference images (image-to-image): product photos, illustrations, social media pictures. Waits and outputs each image as a binary file or its URL.',
});

export const videoBuilderHint = hint({
	searchHint:
		'Generate videos with AI (Clipia) from a text prompt (text-to-video) or a start image (image-to-video). By default it returns a request_id at once; Clipia Wait Generation then outputs the MP4.',
	relatedNodes: [{ nodeType: WAIT_NODE, relationHint: 'Waits for the video and outputs the MP4' }],
});

export const audioBuilderHint = hint({
	searchHint:
		'Generate audio with AI (Clipia): speech from text (text to speech, voice-overs, narration) or music and sound effects from a description. Waits and outputs an MP3 file or its URL.',
});

export const waitBuilderHint = hint({
	searchHint:
		'Wait for a Clipia image, video or audio generation by its request_id and output the finished media (binary file or URLs). Use after Clipia Generate Video, or Generate Image, with Wait for Completion off.',
	relatedNodes: [
		{
			nodeType: 'n8n-nodes-clipia.clipiaGenerateVideo',
			relationHint: 'Submits the video whose request_id this waits for',
		},
	],
});

export const clipiaBuilderHint = hint({
	searchHint:
		'Clipia account and catalog: the credit balance and 30-day usage, the image, video and audio models with their prices, the cost of a generation before spending, and a generation looked up by request_id. Use before a batch of Clipia Generate nodes to check credits.',
});
