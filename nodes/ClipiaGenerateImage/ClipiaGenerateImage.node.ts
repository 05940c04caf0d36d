import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { DEFAULT_IMAGE_MODEL, fieldByKey, IMAGE_FIELDS, prepareImage } from '../../core';
import { generationPlan, planItems, runGenerations } from '../shared/execute';
import { CLIPIA_ICON } from '../shared/icons';
import { modelOptions } from '../shared/models';
import { generationOptions, outputProperty, propertyFrom, waitForCompletionOn } from '../shared/properties';
import { CREDENTIAL } from '../shared/transport';

const field = (key: string) => fieldByKey(IMAGE_FIELDS, key);

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
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL, required: true }],
		properties: [
			propertyFrom(field('prompt'), { typeOptions: { rows: 3 }, placeholder: 'e.g. a red fox in the snow, golden hour, photo' }),
			propertyFrom(field('model'), {
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getImageModels' },
				default: DEFAULT_IMAGE_MODEL,
				description:
					'Image model. Choose from the list, or specify a model slug using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			}),
			propertyFrom(field('aspect_ratio')),
			propertyFrom(field('resolution')),
			propertyFrom(field('num_images')),
			propertyFrom(field('image_urls'), {
				description:
					'Up to 4 https image URLs to edit or take style from (image-to-image), comma or newline separated, or an expression returning an array',
			}),
			waitForCompletionOn,
			outputProperty('binary'),
			generationOptions(300),
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
			generationPlan(this, itemIndex, { waitForCompletion: true, maxWaitSeconds: 300 }, (options) =>
				prepareImage({
					prompt: this.getNodeParameter('prompt', itemIndex) as string,
					model: this.getNodeParameter('model', itemIndex, DEFAULT_IMAGE_MODEL) as string,
					aspect_ratio: this.getNodeParameter('aspectRatio', itemIndex, '') as string,
					resolution: this.getNodeParameter('resolution', itemIndex, '') as string,
					num_images: this.getNodeParameter('numImages', itemIndex, 1) as number,
					image_urls: this.getNodeParameter('referenceImageUrls', itemIndex, '') as string | string[],
					extra_input: options.extraInput as string | undefined,
					webhook_url: options.webhookUrl as string | undefined,
				}),
			),
		);
		return runGenerations(this, plans);
	}
}
