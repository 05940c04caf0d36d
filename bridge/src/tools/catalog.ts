/** The tools that tell what Clipia offers and what it costs, before spending anything. */

import { z } from 'zod';
import { estimateCost, getBalance, getModel, listModels } from '../../../core';
import { contextOf, defineTool, READ_ONLY } from './tool';

const modelSlug = z
	.string()
	.trim()
	.min(1, 'model cannot be empty.')
	.describe('A Clipia model slug, e.g. nano-banana-2 (see list_models).');

const modelSummary = z
	.object({
		slug: z.string(),
		type: z.string(),
		name: z.string(),
		capabilities: z.array(z.string()),
		credits: z.number().describe('Credits at the default settings.'),
		pricing_note: z.string().optional(),
		description: z.string().optional(),
	})
	.passthrough();

export const listModelsTool = defineTool({
	name: 'list_models',
	title: 'List models',
	description:
		'List the Clipia generation models this key can use, with capabilities (e.g. text-to-image, image-to-video) and price in credits. ' +
		'Filter by type and by words to search.',
	input: {
		type: z.enum(['image', 'video', 'audio']).optional().describe('Only models of this kind.'),
		search: z
			.string()
			.optional()
			.describe('Words that must all appear in the slug, name, description or capabilities.'),
	},
	output: { models: z.array(modelSummary) },
	annotations: READ_ONLY,
	async run(params, call) {
		return { structured: { models: await listModels(contextOf(call), params) } };
	},
});

export const getModelTool = defineTool({
	name: 'get_model',
	title: 'Get a model',
	description:
		"One Clipia model's input schema (fields, allowed values, defaults) and pricing, to build a valid input.",
	input: { model: modelSlug },
	output: {
		slug: z.string(),
		type: z.string(),
		name: z.string(),
		capabilities: z.array(z.string()),
		pricing: z.object({ credits: z.number() }).passthrough(),
		input_schema: z.record(z.object({ type: z.string() }).passthrough()),
	},
	annotations: READ_ONLY,
	async run(params, call) {
		return { structured: { ...(await getModel(contextOf(call), params)) } };
	},
});

export const estimateCostTool = defineTool({
	name: 'estimate_cost',
	title: 'Estimate cost',
	description:
		'How many credits a generation would cost, before spending any: give the model slug and its input fields.',
	input: {
		model: modelSlug,
		input: z
			.object({})
			.passthrough()
			.describe('The model input fields, e.g. {"prompt": "a red fox", "resolution": "2k", "num_images": 2}.'),
	},
	output: { model: z.string(), cost_credits: z.number() },
	annotations: READ_ONLY,
	async run(params, call) {
		return { structured: await estimateCost(contextOf(call), params) };
	},
});

export const getBalanceTool = defineTool({
	name: 'get_balance',
	title: 'Get balance',
	description: 'Credits left on the Clipia account, and the last 30 days of usage.',
	input: {},
	output: {
		account_id: z.string(),
		credits: z.number(),
		usage_30d: z.object({ requests: z.number(), credits_spent: z.number() }),
	},
	annotations: READ_ONLY,
	async run(_params, call) {
		return { structured: { ...(await getBalance(contextOf(call))) } };
	},
});
