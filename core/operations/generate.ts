/** generateImage, generateVideo: validate, submit once (idempotently), optionally wait. */

import { validationError } from '../errors';
import {
	DEFAULT_IMAGE_MODEL,
	DEFAULT_IMAGE_TO_VIDEO_MODEL,
	DEFAULT_TEXT_TO_VIDEO_MODEL,
	IMAGE_FIELDS,
	VIDEO_FIELDS,
	type FieldSpec,
} from '../fields';
import type { RequestResponse } from '../http/wire';
import { resultFromAnswer, resultFromSubmit, type GenerationResult, type KnownOfGeneration } from '../result';
import { validateFields, type FieldValues } from '../validate';
import { isTerminal, waitForGeneration } from '../wait/waiter';
import { contextDefaults, waitDeadline, type OperationContext } from './context';
import { fitToModel, modelSchemas } from './fit';

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

export interface CommonGenerationParams {
	/** Extra model input merged over the named fields (e.g. `seed`). */
	extra_input?: Record<string, unknown> | string;
	/** Clipia POSTs the outcome here when the generation ends. */
	webhook_url?: string;
}

export interface GenerateImageParams extends CommonGenerationParams {
	prompt: string;
	model?: string;
	aspect_ratio?: string;
	resolution?: string;
	num_images?: number;
	image_urls?: string[] | string;
}

export interface GenerateVideoParams extends CommonGenerationParams {
	prompt: string;
	image_url?: string;
	model?: string;
	duration?: number;
	aspect_ratio?: string;
	resolution?: string;
	generate_audio?: boolean;
}

export function prepareImage(params: GenerateImageParams): PreparedGeneration {
	return prepare(IMAGE_FIELDS, params as unknown as FieldValues, () => DEFAULT_IMAGE_MODEL);
}

export function prepareVideo(params: GenerateVideoParams): PreparedGeneration {
	return prepare(VIDEO_FIELDS, params as unknown as FieldValues, (input) =>
		input.image_url ? DEFAULT_IMAGE_TO_VIDEO_MODEL : DEFAULT_TEXT_TO_VIDEO_MODEL,
	);
}

function prepare(
	fields: readonly FieldSpec[],
	params: FieldValues,
	defaultModel: (input: Record<string, unknown>) => string,
): PreparedGeneration {
	const checked = validateFields(fields, params);
	const input: Record<string, unknown> = {};
	for (const field of fields) if (field.apiInput && checked[field.key] !== undefined) input[field.key] = checked[field.key];
	const extraInput = parseExtraInput(params.extra_input);
	const model = typeof checked.model === 'string' ? checked.model : defaultModel({ ...input, ...extraInput });
	const prepared: PreparedGeneration = { model, input, fields };
	if (Object.keys(extraInput).length) prepared.extraInput = extraInput;
	if (params.webhook_url !== undefined && params.webhook_url !== '') {
		const { webhook_url } = validateFields([WEBHOOK_FIELD], { webhook_url: params.webhook_url });
		prepared.webhookUrl = webhook_url as string;
	}
	return prepared;
}

const WEBHOOK_FIELD: FieldSpec = {
	key: 'webhook_url',
	n8nName: 'webhookUrl',
	displayName: 'Webhook URL',
	type: 'url',
	apiInput: false,
	description: 'Clipia POSTs the outcome here when the generation ends',
};

function parseExtraInput(raw: unknown): Record<string, unknown> {
	if (raw === undefined || raw === null || raw === '') return {};
	let value = raw;
	if (typeof raw === 'string') {
		try {
			value = JSON.parse(raw);
		} catch {
			throw validationError('extra_input', '"Extra Input" (extra_input) must be a JSON object, e.g. {"seed": 42}; it is not valid JSON.');
		}
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw validationError('extra_input', '"Extra Input" (extra_input) must be a JSON object, e.g. {"seed": 42}.');
	}
	return value as Record<string, unknown>;
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
}

/**
 * Submits a prepared generation and waits up to `waitSeconds`. A generation that ends
 * at submit (sandbox keys) comes back with its output; one still running comes back with
 * its `request_id` and `next_step`.
 */
export async function runGeneration(
	context: OperationContext,
	prepared: PreparedGeneration,
	options: RunOptions,
): Promise<GenerationResult> {
	const { client, signal, nextStep, deadline: callDeadline } = contextDefaults(context);
	const started = client.runtime.now();
	const deadline = waitDeadline(context, options.waitSeconds);
	const schema = await modelSchemas(client).of(prepared.model, { signal, deadline: callDeadline });
	const input = { ...(schema ? fitToModel(prepared.model, schema, prepared.input, prepared.fields) : prepared.input), ...prepared.extraInput };
	const submitted = await client.submit(prepared.model, input, {
		signal,
		deadline: callDeadline,
		webhookUrl: prepared.webhookUrl,
		idempotencyKey: options.idempotencyKey,
		rateLimitDeadline: options.patientWithRateLimits ? Math.max(deadline, started + 60_000) : undefined,
	});
	const imagesAsked = Number(input.num_images);
	const known: KnownOfGeneration = { model: prepared.model, cost: submitted.cost, ...(imagesAsked > 1 ? { imagesAsked } : {}) };
	if (isTerminal(submitted)) {
		// Terminal at once (sandbox): the output lives on the result endpoint.
		const answer = await client.request(submitted.request_id, { signal, deadline: callDeadline }).catch(keepRequestId(submitted.request_id));
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
	}).catch(keepRequestId(submitted.request_id));
	return resultFromAnswer(answer, known, nextStep);
}

/** Errors after a submit name its request_id, so the job is never lost. */
export function keepRequestId(requestId: string) {
	return (error: unknown): never => {
		if (error && typeof error === 'object' && 'withRequestId' in error) {
			throw (error as { withRequestId(id: string): unknown }).withRequestId(requestId);
		}
		throw error;
	};
}

export async function generateImage(
	context: OperationContext,
	params: GenerateImageParams,
	options: RunOptions,
): Promise<GenerationResult> {
	return runGeneration(context, prepareImage(params), options);
}

export async function generateVideo(
	context: OperationContext,
	params: GenerateVideoParams,
	options: RunOptions,
): Promise<GenerationResult> {
	return runGeneration(context, prepareVideo(params), options);
}
