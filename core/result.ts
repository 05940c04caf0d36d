/** The one result shape every operation returns, in n8n and in MCP alike. */

import { ClipiaError } from './errors';
import type { GenerationOutput, GenerationStatus, RequestResponse, SubmitResponse } from './http/wire';
import { isTerminal } from './http/wire';

export interface SavedFile {
	/** Where the bridge wrote the file. */
	path?: string;
	/** The n8n binary property holding the file. */
	binary_property?: string;
	mime_type: string;
	bytes: number;
}

export interface GenerationResult {
	request_id: string;
	status: GenerationStatus;
	model: string;
	cost_credits: number;
	queue_position?: number;
	progress?: number;
	output?: GenerationOutput;
	error?: { code: string; message: string };
	next_step?: string;
	/** Something about the output a reader would not expect, e.g. variants tiled in one image. */
	note?: string;
	files?: SavedFile[];
}

/** What the caller knew before the answer: the answer may leave these out. */
export interface KnownOfGeneration {
	model?: string;
	cost?: number;
	/** `num_images` as asked. */
	imagesAsked?: number;
}

/** Says what to call next for a generation still running; each surface names its own tool. */
export type NextStep = (requestId: string) => string;

export function resultFromSubmit(submit: SubmitResponse, model: string, nextStep: NextStep): GenerationResult {
	return shape(
		{
			request_id: submit.request_id,
			status: submit.status,
			model,
			cost: submit.cost,
			queue_position: submit.queue_position,
		},
		model,
		submit.cost,
		nextStep,
	);
}

export function resultFromAnswer(
	answer: RequestResponse,
	known: KnownOfGeneration,
	nextStep: NextStep,
): GenerationResult {
	const result = shape(answer, answer.model ?? known.model ?? '', answer.cost ?? known.cost ?? 0, nextStep);
	const images = result.output?.images;
	if (images && known.imagesAsked && images.length < known.imagesAsked) {
		// Clipia: some models return several variants "as a single tiled result".
		result.note =
			images.length === 1
				? `${known.imagesAsked} images were asked for and ${result.model} returned one: it tiles its variants side by side in a single image.`
				: `${known.imagesAsked} images were asked for and ${result.model} returned ${images.length}.`;
	}
	return result;
}

function shape(answer: RequestResponse, model: string, cost: number, nextStep: NextStep): GenerationResult {
	const result: GenerationResult = {
		request_id: answer.request_id,
		status: answer.status,
		model,
		cost_credits: cost,
	};
	if (!isTerminal(answer)) {
		if (typeof answer.queue_position === 'number') result.queue_position = answer.queue_position;
		if (typeof answer.progress === 'number') result.progress = answer.progress;
		result.next_step = nextStep(answer.request_id);
		return result;
	}
	if (answer.output) result.output = answer.output;
	if (answer.error || answer.status !== 'COMPLETED') {
		result.error = {
			code: answer.error?.code ?? answer.status,
			message:
				answer.error?.message ??
				(answer.status === 'CANCELED' ? 'The generation was canceled.' : 'The generation failed.'),
		};
	}
	return result;
}

/** For FAILED / CANCELED results: the error a surface raises when it stops on failure. */
export function failureOf(result: GenerationResult): ClipiaError | undefined {
	if (result.status === 'COMPLETED' || !isTerminal(result)) return undefined;
	const canceled = result.status === 'CANCELED';
	const detail = result.error ? `${result.error.code}: ${result.error.message.replace(/\.$/, '')}` : result.status;
	return new ClipiaError({
		code: canceled ? 'generation_canceled' : 'generation_failed',
		requestId: result.request_id,
		apiMessage: result.error?.message,
		message: canceled
			? `The Clipia generation ${result.request_id} was canceled (${detail}). Its credits were refunded; submit it again if you still need it.`
			: `Clipia could not complete generation ${result.request_id} (${detail}). Its credits were refunded; try again, perhaps with a different prompt or model.`,
	});
}

/** Every media URL of an output, the full-quality original preferred, in output order. */
export function mediaOf(
	output: GenerationOutput | undefined,
): Array<{ kind: 'image' | 'video' | 'audio'; url: string; displayUrl: string }> {
	if (!output) return [];
	const media: Array<{ kind: 'image' | 'video' | 'audio'; url: string; displayUrl: string }> = [];
	for (const image of output.images ?? [])
		media.push({ kind: 'image', url: image.original_url ?? image.url, displayUrl: image.url });
	if (output.video)
		media.push({ kind: 'video', url: output.video.original_url ?? output.video.url, displayUrl: output.video.url });
	if (output.audio)
		media.push({ kind: 'audio', url: output.audio.original_url ?? output.audio.url, displayUrl: output.audio.url });
	return media;
}
