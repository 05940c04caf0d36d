/**
 * n8n parameters built from core's field tables, so the nodes and the MCP tools agree,
 * and read back through the same tables. Each default is written once: in its property.
 */

import type { IDataObject, IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { fieldsFor, type FieldSpec, type FieldValues, type ParamsOf } from '../../core';

/** The value of a model-dependent parameter left to the model: not sent. */
const AUTOMATIC = '';

function automaticOption(field: FieldSpec): INodePropertyOptions {
	const usual =
		field.usual === undefined
			? ''
			: ` (usually ${field.usual === false ? 'off' : field.usual === true ? 'on' : String(field.usual)})`;
	return { name: 'Automatic', value: AUTOMATIC, description: `Not sent: the model's own default applies${usual}` };
}

/** What n8n says of a field besides core's description: core names no node of n8n's. */
const IN_N8N: Record<string, string> = {
	webhook_url:
		'. {{ $execution.resumeUrl }} resumes a Clipia Wait Generation node later in this workflow in Wait Mode "Resume on Clipia Webhook".',
};

/** One node parameter from one core field. Model-dependent choices start at "Automatic". */
export function propertyFrom(field: FieldSpec, overrides: Partial<INodeProperties> = {}): INodeProperties {
	const base = {
		displayName: field.displayName,
		name: field.n8nName,
		description: field.description + (IN_N8N[field.key] ?? ''),
		required: field.required,
	};
	let property: INodeProperties;
	switch (field.type) {
		case 'integer': {
			const values = Array.from({ length: (field.max ?? 0) - (field.min ?? 0) + 1 }, (_, n) => (field.min ?? 0) + n);
			property = {
				...base,
				type: 'options',
				default: AUTOMATIC,
				options: [automaticOption(field), ...values.map((value) => ({ name: String(value), value }))],
			};
			break;
		}
		case 'boolean':
			property = {
				...base,
				type: 'options',
				default: AUTOMATIC,
				options: [automaticOption(field), { name: 'On', value: true }, { name: 'Off', value: false }],
			};
			break;
		case 'enum':
			property = {
				...base,
				type: 'options',
				default: AUTOMATIC,
				options: [automaticOption(field), ...(field.options ?? []).map((value) => ({ name: value, value }))],
			};
			break;
		case 'json':
			property = { ...base, type: 'json', default: '{}' };
			break;
		case 'urlList':
			property = {
				...base,
				type: 'string',
				default: '',
				typeOptions: { rows: 2 },
				placeholder: 'https://example.com/reference.png',
			};
			break;
		case 'url':
			property = { ...base, type: 'string', default: '', placeholder: 'https://example.com/start-frame.png' };
			break;
		default:
			property = { ...base, type: 'string', default: '' };
	}
	if (!property.required) delete property.required;
	return { ...property, ...overrides } as INodeProperties;
}

/**
 * One item's values of a node's table fields, keyed by API name: each parameter by its n8n
 * name, Options entries from the collection. Core checks every value before anything is sent.
 */
export function readFields<Fields extends readonly FieldSpec[]>(
	context: IExecuteFunctions,
	itemIndex: number,
	fields: Fields,
): ParamsOf<Fields> {
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const values: FieldValues = {};
	for (const field of fieldsFor(fields, 'n8n')) {
		values[field.key] = field.n8nOption
			? options[field.n8nName]
			: context.getNodeParameter(field.n8nName, itemIndex, AUTOMATIC);
	}
	return values as ParamsOf<Fields>;
}

/** The node's parameters from a table: its own, then (Options entries) those for the collection. */
export function tableProperties(
	fields: readonly FieldSpec[],
	overrides: Record<string, Partial<INodeProperties>> = {},
): { own: INodeProperties[]; options: INodeProperties[] } {
	const offered = fieldsFor(fields, 'n8n');
	const property = (field: FieldSpec) => propertyFrom(field, overrides[field.key]);
	return {
		own: offered.filter((field) => !field.n8nOption).map(property),
		options: offered.filter((field) => field.n8nOption).map(property),
	};
}

export const outputProperty: INodeProperties = {
	displayName: 'Output',
	name: 'output',
	type: 'options',
	default: 'binary',
	description: 'What each output item carries once the generation is done',
	options: [
		{
			name: 'Binary File',
			value: 'binary',
			description: 'Download the media into the item as a binary file (one item per image)',
		},
		{
			name: 'URLs Only',
			value: 'urls',
			description: 'Only the result JSON with media URLs; download them soon, they may expire',
		},
	],
};

export const binaryPropertyNameOption: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	description: 'The name of the binary field the media file is put in',
};

export const maxHeldMbOption: INodeProperties = {
	displayName: 'Max File Size Held in Memory (MB)',
	name: 'maxHeldMb',
	type: 'number',
	default: 20,
	typeOptions: { minValue: 0 },
	description:
		'In queue mode n8n stores binary data in its database, holding a whole file in memory on its way in (about 3× its size; in-memory storage does the same). A larger file is not downloaded: the item keeps its URL and a note says why. Filesystem and S3 storage stream any size. 0: no limit.',
};

/** Where a downloaded file goes, and how large a file n8n may be asked to hold in memory. */
export interface BinaryOutput {
	propertyName: string;
	/** 0: no limit. */
	maxHeldBytes: number;
}

export function binaryOutputOf(options: IDataObject): BinaryOutput {
	return {
		propertyName: optionValue<string>(options, binaryPropertyNameOption),
		maxHeldBytes: Math.max(0, Number(optionValue(options, maxHeldMbOption)) || 0) * 1024 * 1024,
	};
}

export const maxConcurrencyOption: INodeProperties = {
	displayName: 'Max Concurrency',
	name: 'maxConcurrency',
	type: 'number',
	default: 5,
	typeOptions: { minValue: 1, maxValue: 50 },
	description:
		'How many items are generated at the same time; Clipia rate limits slow the rest down, they never fail an item',
};

export const idempotencyKeyOption: INodeProperties = {
	displayName: 'Idempotency Key',
	name: 'idempotencyKey',
	type: 'string',
	default: '',
	placeholder: "e.g. {{ $json.row }}-{{ $today.toFormat('yyyy-MM-dd') }}",
	description:
		"What makes this item's job the same job across runs. For 24 h, a run of this node with the same key and the same request gets the generation already submitted, charged once: running the workflow again after a crash (a worker that died) picks up what the crashed run paid for. A changed request is a new generation. Empty: every run submits anew. Wait Mode Poll only (a webhook-resumed run has its own address).",
};

export const maxCreditsPerRunOption: INodeProperties = {
	displayName: 'Max Credits per Run',
	name: 'maxCreditsPerRun',
	type: 'number',
	default: 0,
	typeOptions: { minValue: 0 },
	description:
		"Stop before anything is submitted when this run's items would cost more credits than this. Pricing asks Clipia's estimate endpoint: one API request per distinct model and input (items asking the same thing are priced once) and the input schema of each model, so the key must be allowed to read. 0: no cap.",
};

export function maxWaitProperty(defaultSeconds: number): INodeProperties {
	return {
		displayName: 'Max Wait (Seconds)',
		name: 'maxWaitSeconds',
		type: 'number',
		default: defaultSeconds,
		typeOptions: { minValue: 1, maxValue: 86_400 },
		description:
			"How long to wait for the result. Polling: a generation still running then fails its item with its request_id, so a Clipia Wait Generation node can pick it up. Resumed on Clipia's webhook: n8n goes on then with each item's request_id and next step. Nothing is lost or charged twice.",
	};
}

/** An entry of the Options collection, or its default when the user did not add it. */
export function optionValue<T>(options: IDataObject, property: INodeProperties): T {
	const value = options[property.name];
	return (value === undefined || value === '' ? property.default : value) as T;
}

export function generationOptions(tableOptions: INodeProperties[], maxWait: INodeProperties): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			binaryPropertyNameOption,
			maxHeldMbOption,
			...tableOptions,
			idempotencyKeyOption,
			maxCreditsPerRunOption,
			maxConcurrencyOption,
			maxWait,
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
