import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { DEFAULT_IMAGE_TO_VIDEO_MODEL, DEFAULT_TEXT_TO_VIDEO_MODEL, fieldByKey, prepareVideo, VIDEO_FIELDS } from '../../core';
import { generationPlan, planItems, runGenerations } from '../shared/execute';
import { CLIPIA_ICON } from '../shared/icons';
import { modelOptions } from '../shared/models';
import { generationOptions, outputProperty, propertyFrom, waitForCompletionOff } from '../shared/properties';
import { CREDENTIAL } from '../shared/transport';

const field = (key: string) => fieldByKey(VIDEO_FIELDS, key);

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
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL, required: true }],
		properties: [
			propertyFrom(field('prompt'), { typeOptions: { rows: 3 }, placeholder: 'e.g. waves rolling onto a beach at sunset, drone shot' }),
			propertyFrom(field('image_url')),
			propertyFrom(field('model'), {
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getVideoModels', loadOptionsDependsOn: ['imageUrl'] },
				default: '',
				description: `Video model. Empty: ${DEFAULT_IMAGE_TO_VIDEO_MODEL} with a start image, else ${DEFAULT_TEXT_TO_VIDEO_MODEL}. Choose from the list, or specify a model slug using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
			}),
			propertyFrom(field('duration')),
			propertyFrom(field('aspect_ratio')),
			propertyFrom(field('resolution')),
			propertyFrom(field('generate_audio')),
			waitForCompletionOff,
			outputProperty('binary'),
			generationOptions(600),
		],
	};

	methods = {
		loadOptions: {
			async getVideoModels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const imageUrl = String(this.getCurrentNodeParameter('imageUrl') ?? '').trim();
				const models = await modelOptions(this, { type: 'video', capability: imageUrl ? 'image-to-video' : 'text-to-video' }, [
					imageUrl ? DEFAULT_IMAGE_TO_VIDEO_MODEL : DEFAULT_TEXT_TO_VIDEO_MODEL,
				]);
				return [{ name: 'Automatic (Clipia Default for Text or Image to Video)', value: '' }, ...models];
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const plans = planItems(this, (itemIndex) =>
			generationPlan(this, itemIndex, { waitForCompletion: false, maxWaitSeconds: 600 }, (options) =>
				prepareVideo({
					prompt: this.getNodeParameter('prompt', itemIndex) as string,
					image_url: this.getNodeParameter('imageUrl', itemIndex, '') as string,
					model: this.getNodeParameter('model', itemIndex, '') as string,
					duration: this.getNodeParameter('duration', itemIndex, 5) as number,
					aspect_ratio: this.getNodeParameter('aspectRatio', itemIndex, '') as string,
					resolution: this.getNodeParameter('resolution', itemIndex, '') as string,
					generate_audio: this.getNodeParameter('generateAudio', itemIndex, false) as boolean,
					extra_input: options.extraInput as string | undefined,
					webhook_url: options.webhookUrl as string | undefined,
				}),
			),
		);
		return runGenerations(this, plans);
	}
}
