/** What every tool that returns a generation does with a finished one: files, preview. */

import { ClipiaError, failureOf, isAbortError, mediaOf, redactSecrets, type GenerationResult } from '../../../core';
import type { ToolCall, ToolOutcome } from './tool';

export async function presentGeneration(result: GenerationResult, call: ToolCall, includePreview = true): Promise<ToolOutcome> {
	const failure = failureOf(result);
	if (failure) return { structured: { ...result }, failure: failure.message };
	if (result.status !== 'COMPLETED') return { structured: { ...result } };
	const outcome: ToolOutcome = { structured: { ...result } };
	const media = mediaOf(result.output);
	if (call.media.save && media.length > 0) {
		outcome.structured.files = await call.media.save(media, result.request_id, call.signal).catch((error: unknown) => {
			if (isAbortError(error)) throw error;
			throw new ClipiaError({
				code: 'download_failed',
				requestId: result.request_id,
				message: `Generation ${result.request_id} finished, but saving its media to CLIPIA_OUTPUT_DIR failed (${redactSecrets(String((error as Error)?.message ?? error))}). Call get_generation with that request_id for the URLs, or fix the folder and call it again.`,
			});
		});
	}
	const firstImage = media.find((item) => item.kind === 'image');
	if (includePreview && firstImage) outcome.image = await call.media.preview(firstImage.displayUrl, call.signal);
	return outcome;
}

/** Progress notifications from the answers seen while waiting; each one a step forward. */
export function progressReporter(call: ToolCall) {
	const started = Date.now();
	let last = -1;
	return (answer: { status: string; progress?: number | null; queue_position?: number | null }): void => {
		const percent = typeof answer.progress === 'number' ? answer.progress : undefined;
		const value = percent ?? Math.round((Date.now() - started) / 1000);
		if (value <= last) return;
		last = value;
		const message =
			answer.status === 'IN_QUEUE'
				? `In queue${typeof answer.queue_position === 'number' ? ` (position ${answer.queue_position})` : ''}`
				: answer.status === 'IN_PROGRESS'
					? `Generating${percent !== undefined ? `: ${percent}%` : ''}`
					: answer.status;
		void call.progress(percent !== undefined ? { progress: value, total: 100, message } : { progress: value, message }).catch(() => undefined);
	};
}
