/**
 * Finished media into n8n binary data, streamed: the response stream goes straight into
 * `prepareBinaryData`, which in filesystem mode writes it to disk, so a video of hundreds
 * of MB never sits in memory. Media URLs take no auth and must never see the API key, so
 * this file uses the plain `httpRequest` and never reads credentials.
 */

import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import {
	bytesAreClaimedType,
	lowerCaseHeaders,
	mediaExtension,
	mediaFileName,
	mediaMimeType,
	mediaOf,
	sniffMediaType,
	SNIFF_BYTES,
	type GenerationResult,
} from '../../core';

/** What downloading needs: plain requests and binary data (a node's run and its webhook call both have them). */
export interface MediaContext {
	helpers: Pick<IExecuteFunctions['helpers'], 'httpRequest' | 'prepareBinaryData'>;
}

export interface DownloadedMedia {
	binary: IBinaryData;
	bytes: number;
	mimeType: string;
}

/** Downloads every media file of a finished result, in output order. */
export async function downloadMedia(
	context: MediaContext,
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
		const head = await peek(response.body, SNIFF_BYTES);
		if (!bytesAreClaimedType(mimeType, head)) {
			(response.body as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
			const seen = sniffMediaType(head);
			throw new Error(
				`the file at ${new URL(item.url).host} claims to be ${mimeType} but its bytes are ${seen ?? 'no known image, video or audio format'}`,
			);
		}
		const fileName = mediaFileName(result.request_id, index, media.length, mediaExtension(mimeType, item.url));
		const binary = await context.helpers.prepareBinaryData(response.body as never, fileName, mimeType);
		binary.fileName = fileName;
		files.push({ binary, bytes: sizeOf(binary, headers['content-length']), mimeType });
	}
	return files;
}

/**
 * The first `count` bytes of a stream (fewer if it ends sooner), left in place: they are
 * pushed back, so the whole file still flows on into binary data.
 */
function peek(stream: NodeJS.ReadableStream, count: number): Promise<Buffer> {
	return new Promise((resolvePeek, reject) => {
		const finish = (head: Buffer) => {
			stream.removeListener('readable', onReadable);
			stream.removeListener('error', reject);
			if (head.length) stream.unshift(head);
			resolvePeek(head);
		};
		const onReadable = () => {
			const head = stream.read(count) as Buffer | string | null;
			if (head !== null) finish(Buffer.from(head));
			else if ((stream as NodeJS.ReadableStream & { readableEnded?: boolean }).readableEnded) finish(Buffer.alloc(0));
		};
		stream.on('readable', onReadable);
		stream.once('error', reject);
	});
}

/** n8n reports the stored size as text ("12.3 MB"); the Content-Length is exact. */
function sizeOf(binary: IBinaryData, contentLength: string | undefined): number {
	const exact = Number(contentLength);
	if (Number.isFinite(exact) && exact > 0) return exact;
	if (binary.data && binary.id === undefined) return Math.floor((binary.data.length * 3) / 4);
	return Number.parseInt(String(binary.fileSize ?? '0'), 10) || 0;
}
