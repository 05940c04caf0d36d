import type {
	IExecuteFunctions,
	IWebhookFunctions,
	IWebhookResponseData,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { DEFAULT_IMAGE_TO_VIDEO_MODEL, DEFAULT_TEXT_TO_VIDEO_MODEL, prepareVideo, VIDEO_FIELDS } from '../../core';
import { generationPlan, planItems, runGenerations } from '../shared/execute';
import { CLIPIA_ICON } from '../shared/icons';
import { modelOptions } from '../shared/models';
import {
	generationOptions,
	maxWaitProperty,
	outputProperty,
	readFields,
	tableProperties,
	waitForCompletionOff,
} from '../shared/properties';
import { videoBuilderHint } from '../shared/builder-hints';
import { CREDENTIAL } from '../shared/transport';
import { resumeOnWebhook, resumeWebhooks, waitModeProperty, webhookNotice } from '../shared/webhook-wait';

/** Videos take one to ten minutes. */
const maxWait = maxWaitProperty(600);

const fields = tableProperties(VIDEO_FIELDS, {
	prompt: { typeOptions: { rows: 3 }, placeholder: 'e.g. waves rolling onto a beach at sunset, drone shot' },
	model: {
		type: 'options',
		// Not reloaded on Start Image URL (no loadOptionsDependsOn): n8n's editor must then resolve that
		// field first, and an expression over a node that has not run yet fails the whole list.
		typeOptions: { loadOptionsMethod: 'getVideoModels' },
		default: '',
		description: `Video model. Automatic: ${DEFAULT_IMAGE_TO_VIDEO_MODEL} with a start image, else ${DEFAULT_TEXT_TO_VIDEO_MODEL}. Choose from the list, or specify a model slug using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
	},
	webhook_url: { placeholder: 'e.g. {{ $execution.resumeUrl }} for a Clipia Wait Generation later on' },
});

export class ClipiaGenerateVideo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Clipia Generate Video',
		name: 'clipiaGenerateVideo',
		icon: CLIPIA_ICON,
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["model"] || ($parameter["imageUrl"] ? "image to video" : "text to video")}}',
		description: 'Generate a video from a text prompt, or animate a start image, with Clipia',
		defaults: { name: 'Clipia Generate Video' },
		usableAsTool: true,
		...videoBuilderHint,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL, required: true }],
		webhooks: resumeWebhooks,
		properties: [
			...fields.own,
			waitForCompletionOff,
			waitModeProperty({ waitForCompletion: [true] }),
			webhookNotice({ waitForCompletion: [true] }),
			outputProperty,
			generationOptions(fields.options, maxWait),
		],
	};

	methods = {
		loadOptions: {
			async getVideoModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				// The editor hands over null for an expression it can't resolve yet (over a node that has
				// not run): a start image will come all the same.
				const given = this.getCurrentNodeParameter('imageUrl');
				const imageUrl = given === null || String(given ?? '').trim() !== '';
				// Every video model, those for the start image (or its absence) first.
				const models = await modelOptions(
					this,
					{ type: 'video' },
					[imageUrl ? DEFAULT_IMAGE_TO_VIDEO_MODEL : DEFAULT_TEXT_TO_VIDEO_MODEL],
					imageUrl ? 'image-to-video' : 'text-to-video',
				);
				return [{ name: 'Automatic (Clipia Default for Text or Image to Video)', value: '' }, ...models];
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const plans = planItems(this, (itemIndex) =>
			generationPlan(this, itemIndex, prepareVideo(readFields(this, itemIndex, VIDEO_FIELDS)), maxWait),
		);
		return runGenerations(this, plans);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return resumeOnWebhook.call(this);
	}
}
