/**
 * Finished media into n8n binary data, streamed: the response stream goes straight into
 * `prepareBinaryData`, which in filesystem mode writes it to disk, so a video of hundreds
 * of MB never sits in memory. Media URLs take no auth and must never see the API key, so
 * this file uses the plain `httpRequest` and never reads credentials.
 */

import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { lowerCaseHeaders, mediaExtension, mediaFileName, mediaMimeType, mediaOf, type GenerationResult } from '../../core';

export interface DownloadedMedia {
	binary: IBinaryData;
	bytes: number;
	mimeType: string;
}

/** Downloads every media file of a finished result, in output order. */
export async function downloadMedia(
	context: IExecuteFunctions,
	result: GenerationResult,
	signal?: AbortSignal,
): Promise<DownloadedMedia[]> {
	const files: DownloadedMedia[] = [];
	const media = mediaOf(result.output);
	for (const [index, item] of media.entries()) {
		const response = (await context.helpers.httpRequest({
			method: 'GET',
			url: item.url,
			encoding: 'stream',
			returnFullResponse: true,
			abortSignal: signal,
			timeout: 600_000,
		})) as { body: NodeJS.ReadableStream; headers: Record<string, string | string[] | undefined> };
		const headers = lowerCaseHeaders(response.headers);
		const mimeType = mediaMimeType(headers['content-type'], item.url, item.kind);
		const fileName = mediaFileName(result.request_id, index, media.length, mediaExtension(mimeType, item.url));
		const binary = await context.helpers.prepareBinaryData(response.body as never, fileName, mimeType);
		binary.fileName = fileName;
		files.push({ binary, bytes: sizeOf(binary, headers['content-length']), mimeType });
	}
	return files;
}

/** n8n reports the stored size as text ("12.3 MB"); the Content-Length is exact. */
function sizeOf(binary: IBinaryData, contentLength: string | undefined): number {
	const exact = Number(contentLength);
	if (Number.isFinite(exact) && exact > 0) return exact;
	if (binary.data && binary.id === undefined) return Math.floor((binary.data.length * 3) / 4);
	return Number.parseInt(String(binary.fileSize ?? '0'), 10) || 0;
}
