/** The model pickers: the account's models of the right kind, from GET /v1/models. */

import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { listModels, type ListModelsParams } from '../../core';
import { clientFor } from './transport';

/**
 * The models of one kind. When Clipia can't be asked (a wrong key, no network), the list
 * still offers `fallback` (the default model) and says why the rest is missing, so the node
 * stays usable and its parameters show no error: the run itself reports the credential.
 */
export async function modelOptions(
	context: ILoadOptionsFunctions,
	params: ListModelsParams,
	fallback: string[],
	/** Models that can do this come first; the others follow. */
	prefer?: string,
): Promise<INodePropertyOptions[]> {
	const client = await clientFor(context);
	let models: Awaited<ReturnType<typeof listModels>>;
	try {
		models = await listModels({ client }, params);
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		return fallback.map((slug) => ({
			name: slug,
			value: slug,
			description: `The model list could not be loaded: ${reason}`,
		}));
	}
	const preferred = (model: { capabilities: string[] }) => (prefer && model.capabilities.includes(prefer) ? 0 : 1);
	return [...models]
		.sort((a, b) => preferred(a) - preferred(b))
		.map((model) => ({
			name: `${model.name} (${model.slug})`,
			value: model.slug,
			description: `${model.capabilities.join(', ')} · from ${model.credits} credits${model.pricing_note ? ` · ${model.pricing_note}` : ''}`,
		}));
}
