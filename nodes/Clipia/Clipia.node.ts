import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import {
	checkRequestId,
	estimateCost,
	getBalance,
	getGeneration,
	getModel,
	listModels,
	validationError,
	type ListModelsParams,
	type OperationContext,
} from '../../core';
import { mapConcurrent } from '../shared/batch';
import { clipiaBuilderHint } from '../shared/builder-hints';
import { toNodeError } from '../shared/errors';
import { outputItems } from '../shared/execute';
import { CLIPIA_ICON } from '../shared/icons';
import { binaryOutputOf, binaryPropertyNameOption, maxHeldMbOption, outputProperty } from '../shared/properties';
import { n8nNextStep, resultItems, type OutputMode } from '../shared/results';
import { clientFor, CREDENTIAL } from '../shared/transport';

/** A catalog or account call answers within this; a Get Generation look too. */
const QUICK_CALL_MS = 20_000;

const show = (resource: string, operation?: string) => ({
	show: { resource: [resource], ...(operation ? { operation: [operation] } : {}) },
});

const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		default: 'account',
		options: [
			{ name: 'Account', value: 'account' },
			{ name: 'Generation', value: 'generation' },
			{ name: 'Model', value: 'model' },
		],
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: show('account'),
		default: 'getBalance',
		options: [
			{
				name: 'Get Balance',
				value: 'getBalance',
				action: 'Get the credit balance',
				description: 'Credits left on the account, and the last 30 days of usage',
			},
		],
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: show('model'),
		default: 'list',
		options: [
			{
				name: 'Estimate Cost',
				value: 'estimateCost',
				action: 'Estimate the cost of a generation',
				description: 'Credits a generation with this model and input would cost, spending nothing',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a model',
				description: "A model's input fields and pricing",
			},
			{
				name: 'List',
				value: 'list',
				action: 'List models',
				description: 'Generation models with their capabilities and price, one item each',
			},
		],
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: show('generation'),
		default: 'get',
		options: [
			{
				name: 'Get',
				value: 'get',
				action: 'Get a generation',
				description: 'Its status now, or its result when it ended, by request_id, without waiting',
			},
		],
	},
	{
		displayName: 'Type',
		name: 'modelType',
		type: 'options',
		default: '',
		displayOptions: show('model', 'list'),
		options: [
			{ name: 'All', value: '' },
			{ name: 'Audio', value: 'audio' },
			{ name: 'Image', value: 'image' },
			{ name: 'Video', value: 'video' },
		],
		description: 'Only models of this kind',
	},
	{
		displayName: 'Search',
		name: 'search',
		type: 'string',
		default: '',
		placeholder: 'e.g. 4k, image-to-video, kling',
		displayOptions: show('model', 'list'),
		description: 'Words that must all appear in the slug, name, description or capabilities',
	},
	{
		displayName: 'Model',
		name: 'model',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. nano-banana-2',
		displayOptions: { show: { resource: ['model'], operation: ['get', 'estimateCost'] } },
		description: 'The model slug (Model → List shows them)',
	},
	{
		displayName: 'Input (JSON)',
		name: 'input',
		type: 'json',
		default: '{\n  "prompt": "a red fox in the snow",\n  "resolution": "2k"\n}',
		required: true,
		displayOptions: show('model', 'estimateCost'),
		description: "The generation's input fields, as Model → Get lists them",
	},
	{
		displayName: 'Request ID',
		name: 'requestId',
		type: 'string',
		default: '={{ $json.request_id }}',
		required: true,
		displayOptions: show('generation', 'get'),
		description: 'The request_id a Clipia Generate node returned (by default, taken from the incoming item)',
	},
	{ ...outputProperty, displayOptions: show('generation', 'get') },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show('generation', 'get'),
		options: [binaryPropertyNameOption, maxHeldMbOption],
	},
];

type Operation = 'account.getBalance' | 'model.list' | 'model.get' | 'model.estimateCost' | 'generation.get';

const OPERATIONS: readonly Operation[] = [
	'account.getBalance',
	'model.list',
	'model.get',
	'model.estimateCost',
	'generation.get',
];

/** What one item asks, read and checked before anything is sent. */
type Ask =
	| { operation: 'account.getBalance' }
	| { operation: 'model.list'; params: ListModelsParams }
	| { operation: 'model.get'; model: string }
	| { operation: 'model.estimateCost'; model: string; input: Record<string, unknown> }
	| { operation: 'generation.get'; requestId: string; output: OutputMode; options: IDataObject };

function jsonObject(raw: unknown, field: string): Record<string, unknown> {
	const value = typeof raw === 'string' ? parseJson(raw, field) : raw;
	if (typeof value !== 'object' || value === null || Array.isArray(value))
		throw validationError(field, `"Input (JSON)" must be an object of model input fields, e.g. {"prompt": "a cat"}.`);
	return value as Record<string, unknown>;
}

function parseJson(text: string, field: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		throw validationError(field, `"Input (JSON)" is not valid JSON: ${text.slice(0, 80)}`);
	}
}

export class Clipia implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Clipia',
		name: 'clipia',
		icon: CLIPIA_ICON,
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["resource"] + ": " + $parameter["operation"]}}',
		description: 'Check the Clipia balance, list models and their prices, estimate costs, look up a generation',
		defaults: { name: 'Clipia' },
		usableAsTool: true,
		...clipiaBuilderHint,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL, required: true }],
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = `${this.getNodeParameter('resource', 0)}.${this.getNodeParameter('operation', 0)}` as Operation;
		if (!OPERATIONS.includes(operation)) throw validationError('operation', `Unknown operation ${operation}.`);
		const asks = this.getInputData().map((_, itemIndex) => ({ itemIndex, ask: read(this, operation, itemIndex) }));
		const client = await clientFor(this);
		const signal = this.getExecutionCancelSignal?.();
		const context = (): OperationContext => ({ client, signal, deadline: client.runtime.now() + QUICK_CALL_MS });
		const settled = await mapConcurrent(
			asks,
			5,
			async ({ ask, itemIndex }): Promise<INodeExecutionData[]> => {
				if ('error' in ask) throw ask.error;
				const pairedItem = { item: itemIndex };
				switch (ask.operation) {
					case 'account.getBalance':
						return [{ json: { ...(await getBalance(context())) } as IDataObject, pairedItem }];
					case 'model.list':
						return (await listModels(context(), ask.params)).map((model) => ({
							json: { ...model } as IDataObject,
							pairedItem,
						}));
					case 'model.get':
						return [{ json: { ...(await getModel(context(), { model: ask.model })) } as IDataObject, pairedItem }];
					case 'model.estimateCost':
						return [{ json: await estimateCost(context(), { model: ask.model, input: ask.input }), pairedItem }];
					case 'generation.get': {
						const result = await getGeneration({ ...context(), nextStep: n8nNextStep }, { request_id: ask.requestId });
						return resultItems(this, result, ask.output, binaryOutputOf(ask.options), signal);
					}
				}
			},
			signal,
		);
		// This node submits nothing: no sibling was paid for.
		return [outputItems(this, asks, settled, { namePaidSiblings: false })];
	}
}

/** One item's ask; a bad one stops the node before anything is sent (or, under Continue on Fail, becomes its error). */
function read(context: IExecuteFunctions, operation: Operation, itemIndex: number): Ask | { error: unknown } {
	try {
		switch (operation) {
			case 'account.getBalance':
				return { operation };
			case 'model.list': {
				const type = context.getNodeParameter('modelType', itemIndex, '') as ListModelsParams['type'] | '';
				const search = String(context.getNodeParameter('search', itemIndex, '')).trim();
				return { operation, params: { ...(type ? { type } : {}), ...(search ? { search } : {}) } };
			}
			case 'model.get':
				return { operation, model: String(context.getNodeParameter('model', itemIndex)).trim() };
			case 'model.estimateCost':
				return {
					operation,
					model: String(context.getNodeParameter('model', itemIndex)).trim(),
					input: jsonObject(context.getNodeParameter('input', itemIndex), 'input'),
				};
			case 'generation.get':
				return {
					operation,
					requestId: checkRequestId(context.getNodeParameter('requestId', itemIndex)),
					output: context.getNodeParameter('output', itemIndex) as OutputMode,
					options: context.getNodeParameter('options', itemIndex, {}) as IDataObject,
				};
		}
	} catch (error) {
		if (!context.continueOnFail()) throw toNodeError(context.getNode(), error, itemIndex);
		return { error };
	}
}
