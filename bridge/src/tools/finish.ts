/** What every tool that returns a generation does with a finished one: files, preview. */

import { pathToFileURL } from 'node:url';
import { basename } from 'node:path';
import {
	downloadFailedError,
	failureOf,
	isAbortError,
	mediaExtension,
	mediaFileName,
	mediaMimeType,
	mediaOf,
	settle,
	type GenerationResult,
} from '../../../core';
import type { MediaLink, SavedMedia, ToolCall, ToolOutcome } from './tool';

/** Each finished medium as a link to its original, and each saved file as a link to it. */
function mediaLinks(
	requestId: string,
	media: Array<{ kind: 'image' | 'video' | 'audio'; url: string }>,
	saved: SavedMedia[] | undefined,
): MediaLink[] {
	const originals = media.map((item, index): MediaLink => {
		const mimeType = mediaMimeType(undefined, item.url, item.kind);
		return {
			uri: item.url,
			name: mediaFileName(requestId, index, media.length, mediaExtension(mimeType, item.url)),
			mimeType,
		};
	});
	const files = (saved ?? []).map(
		(file): MediaLink => ({
			uri: pathToFileURL(file.path).href,
			name: basename(file.path),
			mimeType: file.mime_type,
			size: file.bytes,
		}),
	);
	return [...originals, ...files];
}

export async function presentGeneration(
	result: GenerationResult,
	call: ToolCall,
	includePreview = true,
): Promise<ToolOutcome> {
	const failure = failureOf(result);
	if (failure) return { structured: { ...result }, failure: failure.message };
	if (result.status !== 'COMPLETED') return { structured: { ...result } };
	const outcome: ToolOutcome = { structured: { ...result } };
	const media = mediaOf(result.output);
	if (call.media.save && media.length > 0) {
		const saved = await settle(call.media.save(media, result.request_id, call.signal, call.answerBy));
		if (saved.ok) outcome.structured.files = saved.value;
		else if (isAbortError(saved.error) && call.signal.aborted) throw saved.error;
		else if (Date.now() >= call.answerBy - 250) {
			// The media are ready; they did not fit in this call. The next call saves them.
			outcome.structured.next_step = `The media are ready but were not saved to CLIPIA_OUTPUT_DIR within this call. Call get_generation with request_id ${result.request_id} to save them (or use the URLs).`;
		} else {
			throw downloadFailedError(
				result.request_id,
				saved.error,
				'Saving to CLIPIA_OUTPUT_DIR did not work: call get_generation with that request_id for the URLs, or fix the folder and call it again.',
			);
		}
	}
	outcome.links = mediaLinks(result.request_id, media, outcome.structured.files as SavedMedia[] | undefined);
	// One glance: the first image, else a short audio clip (a video is never inline).
	const shown = media.find((item) => item.kind === 'image') ?? media.find((item) => item.kind === 'audio');
	if (includePreview && shown && shown.kind !== 'video' && Date.now() < call.answerBy)
		outcome.preview = await call.media.preview(shown.displayUrl, shown.kind, call.signal, call.answerBy);
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
		void call
			.progress(percent !== undefined ? { progress: value, total: 100, message } : { progress: value, message })
			.catch(() => undefined);
	};
}
