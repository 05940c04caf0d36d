/** A result as n8n items: the one result JSON, and with Output "Binary File" one item per media file. */

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { downloadFailedError, type ClipiaError, type GenerationResult, type NextStep } from '../../core';
import { downloadMedia, type MediaContext } from './media';
import type { BinaryOutput } from './properties';

export const n8nNextStep: NextStep = (requestId) =>
	`Still running. Continue with a Clipia Wait Generation node (Request ID ${requestId}); nothing more is charged.`;

export type OutputMode = 'urls' | 'binary';

/** Throws a download failure (with the request_id and what to do) for the caller to report. */
export async function resultItems(
	context: MediaContext,
	result: GenerationResult,
	output: OutputMode,
	binary: BinaryOutput,
	signal?: AbortSignal,
): Promise<INodeExecutionData[]> {
	if (output === 'binary' && result.status === 'COMPLETED' && result.output) {
		const files = await downloadMedia(context, result, binary.maxHeldBytes, signal).catch((error: unknown) => {
			throw downloadError(result, error);
		});
		if (files.length) {
			return files.map((file) =>
				'note' in file
					? // Too large for n8n to hold: the item keeps the URL and says why.
						{
							json: itemJson({
								...result,
								note: [result.note, file.note].filter(Boolean).join(' '),
								files: [{ binary_property: null, url: file.url, mime_type: file.mimeType, bytes: file.bytes }],
							}),
						}
					: {
							json: itemJson({
								...result,
								files: [{ binary_property: binary.propertyName, mime_type: file.mimeType, bytes: file.bytes }],
							}),
							binary: { [binary.propertyName]: file.binary },
						},
			);
		}
	}
	return [{ json: itemJson(result) }];
}

/** The result as an item's JSON: plain JSON data, whose declared interface lacks the index signature IDataObject has. */
function itemJson(result: object): IDataObject {
	return result as IDataObject;
}

function downloadError(result: GenerationResult, error: unknown): ClipiaError {
	return downloadFailedError(
		result.request_id,
		error,
		'Use Output "URLs Only", or run Clipia Wait Generation with this request_id to try again.',
	);
}
