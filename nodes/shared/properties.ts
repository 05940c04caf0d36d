/** n8n parameters built from core's field tables, so the nodes and the MCP tools agree. */

import type { INodeProperties } from 'n8n-workflow';
import type { FieldSpec } from '../../core';

/** One node parameter from one core field. */
export function propertyFrom(field: FieldSpec, overrides: Partial<INodeProperties> = {}): INodeProperties {
	const base = { displayName: field.displayName, name: field.n8nName, description: field.description, required: field.required };
	let property: INodeProperties;
	switch (field.type) {
		case 'integer':
			property = {
				...base,
				type: 'number',
				default: (field.default as number | undefined) ?? field.min ?? 0,
				typeOptions: { minValue: field.min, maxValue: field.max, numberPrecision: 0 },
			};
			break;
		case 'boolean':
			property = { ...base, type: 'boolean', default: (field.default as boolean | undefined) ?? false };
			break;
		case 'enum':
			property = {
				...base,
				type: 'options',
				default: (field.default as string | undefined) ?? field.options?.[0] ?? '',
				options: (field.options ?? []).map((value) => ({ name: value, value })),
			};
			break;
		case 'urlList':
			property = { ...base, type: 'string', default: '', typeOptions: { rows: 2 }, placeholder: 'https://example.com/reference.png' };
			break;
		case 'url':
			property = { ...base, type: 'string', default: '', placeholder: 'https://example.com/start-frame.png' };
			break;
		default:
			property = { ...base, type: 'string', default: (field.default as string | undefined) ?? '' };
	}
	if (!property.required) delete property.required;
	return { ...property, ...overrides } as INodeProperties;
}

export const outputProperty = (defaultValue: 'urls' | 'binary'): INodeProperties => ({
	displayName: 'Output',
	name: 'output',
	type: 'options',
	default: defaultValue,
	description: 'What each output item carries once the generation is done',
	options: [
		{ name: 'Binary File', value: 'binary', description: 'Download the media into the item as a binary file (one item per image)' },
		{ name: 'URLs Only', value: 'urls', description: 'Only the result JSON with media URLs; download them soon, they may expire' },
	],
});

export const binaryPropertyNameOption: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	description: 'The name of the binary field the media file is put in',
};

export function maxWaitProperty(defaultSeconds: number, displayOptions?: INodeProperties['displayOptions']): INodeProperties {
	return {
		displayName: 'Max Wait (Seconds)',
		name: 'maxWaitSeconds',
		type: 'number',
		default: defaultSeconds,
		typeOptions: { minValue: 1, maxValue: 86_400 },
		description:
			'How long to wait for the result. If the generation is still running then, the item fails with its request_id so a Clipia Wait Generation node can pick it up; nothing is lost or charged twice.',
		...(displayOptions ? { displayOptions } : {}),
	};
}

export function generationOptions(defaultWaitSeconds: number): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			binaryPropertyNameOption,
			{
				displayName: 'Extra Input (JSON)',
				name: 'extraInput',
				type: 'json',
				default: '{}',
				description: 'More model input fields, merged over the ones above, e.g. {"seed": 42}. See the model\'s input schema on clipia.ai.',
			},
			{
				displayName: 'Max Concurrency',
				name: 'maxConcurrency',
				type: 'number',
				default: 5,
				typeOptions: { minValue: 1, maxValue: 50 },
				description: 'How many items are generated at the same time; Clipia rate limits slow the rest down, they never fail an item',
			},
			maxWaitProperty(defaultWaitSeconds),
			{
				displayName: 'Webhook URL',
				name: 'webhookUrl',
				type: 'string',
				default: '',
				placeholder: 'https://example.com/clipia-webhook',
				description: 'Clipia also POSTs the outcome to this https URL when the generation ends',
			},
		],
	};
}

const waitForCompletion = {
	displayName: 'Wait for Completion',
	name: 'waitForCompletion',
	description:
		'Whether to wait for the finished media. Off: the item returns at once with request_id and cost, for a Clipia Wait Generation node to follow.',
};
/** Images are ready in seconds: wait for them by default. */
export const waitForCompletionOn: INodeProperties = { ...waitForCompletion, type: 'boolean', default: true };
/** Videos take minutes: hand the request_id on at once by default. */
export const waitForCompletionOff: INodeProperties = { ...waitForCompletion, type: 'boolean', default: false };
