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
import { DEFAULT_IMAGE_MODEL, IMAGE_FIELDS, prepareImage } from '../../core';
import { generationPlan, planItems, runGenerations } from '../shared/execute';
import { CLIPIA_ICON } from '../shared/icons';
import { modelOptions } from '../shared/models';
import {
	generationOptions,
	maxWaitProperty,
	outputProperty,
	readFields,
	tableProperties,
	waitForCompletionOn,
} from '../shared/properties';
import { imageBuilderHint } from '../shared/builder-hints';
import { CREDENTIAL } from '../shared/transport';
import { resumeOnWebhook, resumeWebhooks, waitModeProperty, webhookNotice } from '../shared/webhook-wait';

/** Images take seconds to a couple of minutes. */
const maxWait = maxWaitProperty(300);

const fields = tableProperties(IMAGE_FIELDS, {
	prompt: { typeOptions: { rows: 3 }, placeholder: 'e.g. a red fox in the snow, golden hour, photo' },
	model: {
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getImageModels' },
		default: DEFAULT_IMAGE_MODEL,
		description:
			'Image model. Choose from the list, or specify a model slug using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	image_urls: {
		description:
			'Up to 4 https image URLs to edit or take style from (image-to-image), comma or newline separated, or an expression returning an array',
	},
	webhook_url: { placeholder: 'e.g. {{ $execution.resumeUrl }} for a Clipia Wait Generation later on' },
});

export class ClipiaGenerateImage implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Clipia Generate Image',
		name: 'clipiaGenerateImage',
		icon: CLIPIA_ICON,
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["model"] || "' + DEFAULT_IMAGE_MODEL + '"}}',
		description: 'Generate images from a text prompt (and optional reference images) with Clipia',
		defaults: { name: 'Clipia Generate Image' },
		usableAsTool: true,
		...imageBuilderHint,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL, required: true }],
		webhooks: resumeWebhooks,
		properties: [
			...fields.own,
			waitForCompletionOn,
			waitModeProperty({ waitForCompletion: [true] }),
			webhookNotice({ waitForCompletion: [true] }),
			outputProperty,
			generationOptions(fields.options, maxWait),
		],
	};

	methods = {
		loadOptions: {
			async getImageModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				return modelOptions(this, { type: 'image' }, [DEFAULT_IMAGE_MODEL]);
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const plans = planItems(this, (itemIndex) =>
			generationPlan(this, itemIndex, prepareImage(readFields(this, itemIndex, IMAGE_FIELDS)), maxWait),
		);
		return runGenerations(this, plans);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return resumeOnWebhook.call(this);
	}
}
