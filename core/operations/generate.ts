/** generateImage, generateVideo, generateAudio: validate, submit once (idempotently), optionally wait. */

import {
	AUDIO_FIELDS,
	DEFAULT_IMAGE_MODEL,
	DEFAULT_SPEECH_MODEL,
	DEFAULT_IMAGE_TO_VIDEO_MODEL,
	DEFAULT_TEXT_TO_VIDEO_MODEL,
	IMAGE_FIELDS,
	VIDEO_FIELDS,
	type FieldSpec,
	type GenerateAudioParams,
	type GenerateImageParams,
	type GenerateVideoParams,
} from '../fields';
import { keepRequestId } from '../errors';
import { settle, type Settled } from '../runtime';
import { canonicalJson, reproducibleKey, type JobIdentity } from '../idempotency';
import { isTerminal, type RequestResponse } from '../http/wire';
import { resultFromAnswer, resultFromSubmit, type GenerationResult, type KnownOfGeneration } from '../result';
import { validateFields, type FieldValues } from '../validate';
import { runTimeKind } from '../wait/run-times';
import { waitForGeneration } from '../wait/waiter';
import { estimateCost } from './catalog';
import { waitDeadline, type GenerationContext, type OperationContext } from './context';
import { fitToModel, modelSchema } from './fit';

/** A validated generation, ready to submit: nothing was sent to build it. */
export interface PreparedGeneration {
	model: string;
	/** The named fields the user chose; automatic choices are absent (the model's defaults apply). */
	input: Record<string, unknown>;
	/** Extra model input, sent as given over the named fields. */
	extraInput?: Record<string, unknown>;
	/** The table the named fields come from (for the names in messages). */
	fields: readonly FieldSpec[];
	webhookUrl?: string;
}

export type { GenerateAudioParams, GenerateImageParams, GenerateVideoParams };

export function prepareImage(params: GenerateImageParams): PreparedGeneration {
	return prepare(IMAGE_FIELDS, params, () => DEFAULT_IMAGE_MODEL);
}

export function prepareVideo(params: GenerateVideoParams): PreparedGeneration {
	return prepare(VIDEO_FIELDS, params, (input) =>
		input.image_url ? DEFAULT_IMAGE_TO_VIDEO_MODEL : DEFAULT_TEXT_TO_VIDEO_MODEL,
	);
}

/** Speech unless the model says otherwise: the model decides between speech and music. */
export function prepareAudio(params: GenerateAudioParams): PreparedGeneration {
	return prepare(AUDIO_FIELDS, params, () => DEFAULT_SPEECH_MODEL);
}

/** Checks every field, then sorts the given ones by where they go; what was left out is not sent. */
function prepare(
	fields: readonly FieldSpec[],
	params: FieldValues,
	defaultModel: (input: Record<string, unknown>) => string,
): PreparedGeneration {
	const checked = validateFields(fields, params);
	const prepared: PreparedGeneration = { model: '', input: {}, fields };
	for (const field of fields) {
		const value = checked[field.key];
		if (value === undefined) continue;
		if (field.target === 'input') prepared.input[field.key] = value;
		else if (field.target === 'model') prepared.model = value as string;
		else if (field.target === 'extraInput') prepared.extraInput = value as Record<string, unknown>;
		else prepared.webhookUrl = value as string;
	}
	prepared.model ||= defaultModel({ ...prepared.input, ...prepared.extraInput });
	return prepared;
}

export interface RunOptions {
	/** 0: return right after submitting. */
	waitSeconds: number;
	/** Called with each answer while waiting. */
	onUpdate?: (answer: RequestResponse) => void;
	/** Keep retrying 429s until the wait's deadline (batches): a rate limit slows, never fails. */
	patientWithRateLimits?: boolean;
	/** Reuse a key from an earlier attempt of this very submission. */
	idempotencyKey?: string;
	/**
	 * Derive the Idempotency-Key from the job's identity and the exact request, so a later run
	 * of the same job gets the same generation (charged once) within Clipia's 24 h.
	 */
	job?: JobIdentity;
}

/**
 * Submits a prepared generation and waits up to `waitSeconds`. A generation that ends
 * at submit (sandbox keys) comes back with its output; one still running comes back with
 * its `request_id` and `next_step`.
 */
export async function runGeneration(
	context: GenerationContext,
	prepared: PreparedGeneration,
	options: RunOptions,
): Promise<GenerationResult> {
	const { client, signal, nextStep, deadline: callDeadline } = context;
	const started = client.runtime.now();
	const deadline = waitDeadline(context, options.waitSeconds);
	const input = await requestInput(context, prepared);
	// The key follows the request as asked, not as fitted: a run whose schema read missed its
	// patience (and so sends the fields unfitted) must still find the generation an earlier run paid for.
	const idempotencyKey =
		options.idempotencyKey ??
		(options.job
			? reproducibleKey(options.job, prepared.model, {
					input: { ...prepared.input, ...prepared.extraInput },
					webhook_url: prepared.webhookUrl,
				})
			: undefined);
	const submitted = await client.submit(prepared.model, input, {
		signal,
		deadline: callDeadline,
		webhookUrl: prepared.webhookUrl,
		idempotencyKey,
		rateLimitDeadline: options.patientWithRateLimits ? Math.max(deadline, started + 60_000) : undefined,
	});
	const kind = runTimeKind(prepared.model, input);
	client.key.notes.remember(submitted.request_id, {
		model: prepared.model,
		kind,
		cost: submitted.cost,
		...(typeof input.prompt === 'string' ? { prompt: input.prompt } : {}),
	});
	const imagesAsked = Number(input.num_images);
	const known: KnownOfGeneration = {
		model: prepared.model,
		cost: submitted.cost,
		...(imagesAsked > 1 ? { imagesAsked } : {}),
	};
	if (isTerminal(submitted)) {
		// Terminal at once (sandbox): the output lives on the result endpoint.
		const answer = await client
			.result(submitted.request_id, { signal, deadline: callDeadline })
			.catch(keepRequestId(submitted.request_id));
		return resultFromAnswer(answer, known, nextStep);
	}
	if (options.waitSeconds <= 0) return resultFromSubmit(submitted, prepared.model, nextStep);
	const answer = await waitForGeneration(client, submitted.request_id, {
		deadline,
		hardDeadline: callDeadline,
		signal,
		initial: { at: client.runtime.now(), status: submitted.status, queuePosition: submitted.queue_position },
		onUpdate: options.onUpdate,
		patientWithRateLimits: options.patientWithRateLimits,
		runTimes: { of: client.key.runTimes, kind },
	}).catch(keepRequestId(submitted.request_id));
	return resultFromAnswer(answer, known, nextStep);
}

/** The input a submit of `prepared` sends: its fields in the model's own spelling, then Extra Input. */
async function requestInput(context: OperationContext, prepared: PreparedGeneration): Promise<Record<string, unknown>> {
	const { client, signal, deadline } = context;
	const schema = await modelSchema(client, prepared.model, { signal, deadline });
	return {
		...(schema ? fitToModel(prepared.model, schema, prepared.input, prepared.fields) : prepared.input),
		...prepared.extraInput,
	};
}

/** Input fields that change what a generation is, not what it costs (assumed: Clipia prices a model by its settings). */
const PRICE_NEUTRAL = new Set(['prompt', 'negative_prompt', 'seed']);
/** Speech is priced by its words (assumed, as text-to-speech services do), so an audio prompt is priced each time. */
const AUDIO_PRICE_NEUTRAL = new Set(['seed']);

/**
 * What each generation would cost, priced by Clipia's estimate endpoint with the input its
 * submit would send. Generations that differ only in their prompt or seed are priced once, so a
 * batch of many prompts costs one estimate per model and settings (audio: only their seed). Each item's price, or why it
 * could not be priced, is its own. Spends nothing.
 */
export async function priceGenerations(
	context: OperationContext,
	generations: readonly PreparedGeneration[],
): Promise<Array<Settled<number>>> {
	const prices = new Map<string, Promise<number>>();
	return Promise.all(
		generations.map((prepared) =>
			settle(
				(async () => {
					const input = await requestInput(context, prepared);
					const neutral = prepared.fields === AUDIO_FIELDS ? AUDIO_PRICE_NEUTRAL : PRICE_NEUTRAL;
					const settings = Object.fromEntries(Object.entries(input).filter(([field]) => !neutral.has(field)));
					const key = canonicalJson({ model: prepared.model, settings });
					if (!prices.has(key))
						prices.set(
							key,
							estimateCost(context, { model: prepared.model, input }).then((estimate) => estimate.cost_credits),
						);
					return prices.get(key)!;
				})(),
			),
		),
	);
}

export async function generateImage(
	context: GenerationContext,
	params: GenerateImageParams,
	options: RunOptions,
): Promise<GenerationResult> {
	return runGeneration(context, prepareImage(params), options);
}

export async function generateVideo(
	context: GenerationContext,
	params: GenerateVideoParams,
	options: RunOptions,
): Promise<GenerationResult> {
	return runGeneration(context, prepareVideo(params), options);
}

export async function generateAudio(
	context: GenerationContext,
	params: GenerateAudioParams,
	options: RunOptions,
): Promise<GenerationResult> {
	return runGeneration(context, prepareAudio(params), options);
}
