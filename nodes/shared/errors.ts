/** core's ClipiaError into the error types n8n users know, with the item it belongs to. */

import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';
import { ClipiaError, redactSecrets } from '../../core';

export function toNodeError(node: INode, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof ClipiaError) {
		const description = [
			error.requestId ? `request_id: ${error.requestId}` : undefined,
			error.apiMessage && !error.message.includes(error.apiMessage) ? `Clipia said: ${error.apiMessage}` : undefined,
		]
			.filter(Boolean)
			.join('\n');
		if (error.code === 'validation_error' || error.code === 'wait_timeout') {
			return new NodeOperationError(node, error.message, { itemIndex, description: description || undefined });
		}
		// Our own sentence as the message: NodeApiError would otherwise swap in n8n's generic
		// text for common codes (e.g. 402 "Payment required - perhaps check your payment details?").
		return new NodeApiError(
			node,
			{ code: error.code, message: error.message, request_id: error.requestId ?? null } as JsonObject,
			{
				itemIndex,
				message: error.message,
				description: description || undefined,
				httpCode: error.status === undefined ? undefined : String(error.status),
			},
		);
	}
	const message = redactSecrets(error instanceof Error ? error.message : String(error));
	return new NodeOperationError(node, message, { itemIndex });
}

/** The JSON of an error item under continueOnFail: the message and the request_id, if any. */
export function errorItemJson(error: unknown): JsonObject {
	if (error instanceof ClipiaError) {
		return { error: error.message, code: error.code, ...(error.requestId ? { request_id: error.requestId } : {}) };
	}
	return { error: redactSecrets(error instanceof Error ? error.message : String(error)) };
}
