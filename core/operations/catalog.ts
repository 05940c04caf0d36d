/** listModels, getModel, estimateCost, getBalance: what things cost before spending. */

import { validationError } from '../errors';
import type { GenerationModel, ModelDetail } from '../http/wire';
import type { OperationContext } from './context';

export interface ModelSummary {
	slug: string;
	type: string;
	name: string;
	capabilities: string[];
	/** Credits at the model's default settings. */
	credits: number;
	pricing_note?: string;
	description?: string;
}

export interface ListModelsParams {
	type?: 'image' | 'video' | 'audio';
	/** Words that must all appear in the slug, name, description or capabilities. */
	search?: string;
	/** Only models that can do this, e.g. "image-to-video". */
	capability?: string;
}

export async function listModels(context: OperationContext, params: ListModelsParams = {}): Promise<ModelSummary[]> {
	const { client, signal, deadline } = context;
	const models = await client.listModels({ signal, deadline });
	const words = (params.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
	return models
		.filter((model) => !params.type || model.type === params.type)
		.filter((model) => !params.capability || model.capabilities?.includes(params.capability))
		.filter((model) => {
			const haystack = [model.slug, model.name, model.description ?? '', ...(model.capabilities ?? [])]
				.join(' ')
				.toLowerCase();
			return words.every((word) => haystack.includes(word));
		})
		.map(summarize);
}

export function summarize(model: GenerationModel): ModelSummary {
	return {
		slug: model.slug,
		type: model.type,
		name: model.name,
		capabilities: model.capabilities ?? [],
		credits: model.pricing?.credits ?? 0,
		...(model.pricing?.note ? { pricing_note: model.pricing.note } : {}),
		...(model.description ? { description: model.description } : {}),
	};
}

export async function getModel(context: OperationContext, params: { model: string }): Promise<ModelDetail> {
	const { client, signal, deadline } = context;
	return client.getModel(checkSlug(params.model), { signal, deadline });
}

export async function estimateCost(
	context: OperationContext,
	params: { model: string; input: Record<string, unknown> },
): Promise<{ model: string; cost_credits: number }> {
	const { client, signal, deadline } = context;
	const model = checkSlug(params.model);
	if (typeof params.input !== 'object' || params.input === null || Array.isArray(params.input)) {
		throw validationError(
			'input',
			'"input" must be an object of model input fields, e.g. {"prompt": "a cat", "resolution": "2k"}.',
		);
	}
	const { credits } = await client.estimate(model, params.input, { signal, deadline });
	return { model, cost_credits: credits };
}

export interface Balance {
	account_id: string;
	credits: number;
	usage_30d: { requests: number; credits_spent: number };
}

export async function getBalance(context: OperationContext): Promise<Balance> {
	const { client, signal, deadline } = context;
	const account = await client.account({ signal, deadline });
	return { account_id: account.account_id, credits: account.balance.credits, usage_30d: account.usage_30d };
}

function checkSlug(raw: unknown): string {
	const slug = typeof raw === 'string' ? raw.trim() : '';
	if (!/^[a-z0-9][a-z0-9._/-]{0,99}$/i.test(slug)) {
		throw validationError(
			'model',
			`"model" must be a Clipia model slug such as nano-banana-2; got "${String(raw).slice(0, 80)}".`,
		);
	}
	return slug;
}
