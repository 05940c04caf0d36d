/**
 * Clipia's webhook signature: `X-Clipia-Signature: t=<unix>,v1=<hex>` where
 * v1 = hex(HMAC-SHA256(secret, "<t>.<raw body>")). Verified over the raw bytes, in constant
 * time, with the time taken from `t=` only (the separate `X-Clipia-Timestamp` header is not
 * signed, so it is never trusted), and refused when `t` is more than 5 minutes off.
 */

import type { GenerationOutput, RequestResponse } from './http/wire';

/** HMAC-SHA256 of `data` under `secret`, from the surface (core does no cryptography of its own). */
export type HmacSha256 = (secret: string, data: Buffer) => Buffer;

/** How far `t=` may be from now, either way. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export type WebhookCheck =
	| { ok: true; timestamp: number }
	| { ok: false; reason: 'missing_signature' | 'malformed_signature' | 'stale' | 'mismatch' };

export function signWebhook(hmac: HmacSha256, secret: string, timestamp: number, rawBody: Buffer | string): string {
	return `t=${timestamp},v1=${hmac(secret, signedBytes(String(timestamp), rawBody)).toString('hex')}`;
}

/** Checks one delivery. `nowMs` is the receiver's clock. */
export function verifyWebhook(
	hmac: HmacSha256,
	secret: string,
	rawBody: Buffer | string,
	signature: string | undefined,
	nowMs: number,
): WebhookCheck {
	if (!signature) return { ok: false, reason: 'missing_signature' };
	const parts = new Map<string, string[]>();
	for (const part of signature.split(',')) {
		const at = part.indexOf('=');
		if (at <= 0) continue;
		const name = part.slice(0, at).trim();
		parts.set(name, [...(parts.get(name) ?? []), part.slice(at + 1).trim()]);
	}
	const t = parts.get('t')?.[0];
	const candidates = parts.get('v1') ?? [];
	if (!t || !/^\d{1,12}$/.test(t) || !candidates.length) return { ok: false, reason: 'malformed_signature' };
	const timestamp = Number(t);
	if (Math.abs(nowMs / 1000 - timestamp) > WEBHOOK_TOLERANCE_SECONDS) return { ok: false, reason: 'stale' };
	const expected = hmac(secret, signedBytes(t, rawBody));
	// Several v1 values may come while a secret is rotated: any one that matches will do.
	const matches = candidates.some((hex) => /^[0-9a-f]{64}$/i.test(hex) && sameBytes(Buffer.from(hex, 'hex'), expected));
	return matches ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}

function signedBytes(t: string, rawBody: Buffer | string): Buffer {
	return Buffer.concat([Buffer.from(`${t}.`), Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody)]);
}

/** Compares in time that does not depend on where the bytes differ. */
function sameBytes(a: Buffer, b: Buffer): boolean {
	if (a.length !== b.length) return false;
	let difference = 0;
	for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
	return difference === 0;
}

/** What a verified delivery says. */
export interface WebhookDelivery {
	request_id: string;
	/** `OK` on success; anything else is terminal too (FAILED, CANCELED…). */
	status: string;
	/**
	 * The generation's answer as the signed body gives it, when that is all a result needs: a
	 * success with its model, cost and every medium's URL. Otherwise (a failure or cancel, whose
	 * kind the body doesn't tell; an output without URLs; a shape not known here) the API is read.
	 */
	ended?: RequestResponse;
}

/**
 * The delivery's request_id and status, or undefined when the body is not a Clipia webhook.
 * Call it on a body whose signature verified: only then is what it says Clipia's word.
 */
export function parseWebhookBody(rawBody: Buffer | string): WebhookDelivery | undefined {
	let body: unknown;
	try {
		body = JSON.parse(rawBody.toString());
	} catch {
		return undefined;
	}
	const {
		request_id: requestId,
		status,
		payload,
	} = (body ?? {}) as {
		request_id?: unknown;
		status?: unknown;
		payload?: unknown;
	};
	if (typeof requestId !== 'string' || typeof status !== 'string') return undefined;
	const ended = status === 'OK' ? completedAnswer(requestId, payload) : undefined;
	return { request_id: requestId, status, ...(ended ? { ended } : {}) };
}

/** A success's payload `{ model, output, cost }` as the result endpoint would answer it, if it is whole. */
function completedAnswer(requestId: string, payload: unknown): RequestResponse | undefined {
	const { model, output, cost } = (payload ?? {}) as { model?: unknown; output?: unknown; cost?: unknown };
	if (typeof model !== 'string' || !model || typeof cost !== 'number' || !Number.isFinite(cost)) return undefined;
	if (!isWholeOutput(output)) return undefined;
	return { request_id: requestId, status: 'COMPLETED', model, cost, output };
}

/** Media this project knows, each with a URL, and nothing else. */
function isWholeOutput(output: unknown): output is GenerationOutput {
	if (!output || typeof output !== 'object' || Array.isArray(output)) return false;
	const hasUrl = (file: unknown) =>
		!!file &&
		typeof file === 'object' &&
		typeof (file as { url?: unknown }).url === 'string' &&
		!!(file as { url: string }).url;
	const { images, video, audio, ...unknown } = output as Record<string, unknown>;
	if (Object.keys(unknown).length) return false;
	if (images !== undefined && !(Array.isArray(images) && images.length > 0 && images.every(hasUrl))) return false;
	if (video !== undefined && !hasUrl(video)) return false;
	if (audio !== undefined && !hasUrl(audio)) return false;
	return images !== undefined || video !== undefined || audio !== undefined;
}
