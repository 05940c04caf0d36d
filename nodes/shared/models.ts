/** The model pickers: the account's models of the right kind, from GET /v1/models. */

import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { listModels, type ListModelsParams } from '../../core';
import { clientFor } from './transport';

export async function modelOptions(context: ILoadOptionsFunctions, params: ListModelsParams): Promise<INodePropertyOptions[]> {
	const client = await clientFor(context);
	const models = await listModels({ client }, params);
	return models.map((model) => ({
		name: `${model.name} (${model.slug})`,
		value: model.slug,
		description: `${model.capabilities.join(', ')} · from ${model.credits} credits${model.pricing_note ? ` · ${model.pricing_note}` : ''}`,
	}));
}
