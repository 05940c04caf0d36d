/** The model pickers: the account's models of the right kind, from GET /v1/models. */

import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { getModel, listModels, type ListModelsParams } from '../../core';
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

/**
 * The voices a speech model's input schema lists, after "Automatic" (its own default). A
 * model without voices (music) or a schema that can't be read leaves Automatic alone.
 */
export async function voiceOptions(context: ILoadOptionsFunctions, model: string): Promise<INodePropertyOptions[]> {
	const client = await clientFor(context);
	let voices: unknown[] = [];
	let defaultVoice: unknown;
	let why = '';
	try {
		const schema = (await getModel({ client }, { model })).input_schema ?? {};
		voices = schema.voice?.enum ?? [];
		defaultVoice = schema.voice?.default;
		if (!schema.voice) why = `${model} takes no voice`;
	} catch (error) {
		why = `the voices could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
	}
	const automatic: INodePropertyOptions = {
		name: 'Automatic',
		value: '',
		description: why
			? `Not sent (${why})`
			: `Not sent: the model's own default applies${defaultVoice === undefined ? '' : ` (${String(defaultVoice)})`}`,
	};
	return [automatic, ...voices.map((voice) => ({ name: String(voice), value: String(voice) }))];
}
