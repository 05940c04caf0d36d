/**
 * Clipia's webhook signature: `X-Clipia-Signature: t=<unix>,v1=<hex>` where
 * v1 = hex(HMAC-SHA256(secret, "<t>.<raw body>")). Verified over the raw bytes, in constant
 * time, with the time taken from `t=` only (the separate `X-Clipia-Timestamp` header is not
 * signed, so it is never trusted), and refused when `t` is more than 5 minutes off.
 */

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

/** What a delivery says (a hint: the API's `GET /v1/requests/{id}` is the truth). */
export interface WebhookDelivery {
	request_id: string;
	/** `OK` on success; anything else is terminal too (FAILED, CANCELED…). */
	status: string;
}

/** The delivery's request_id and status, or undefined when the body is not a Clipia webhook. */
export function parseWebhookBody(rawBody: Buffer | string): WebhookDelivery | undefined {
	let body: unknown;
	try {
		body = JSON.parse(rawBody.toString());
	} catch {
		return undefined;
	}
	const { request_id: requestId, status } = (body ?? {}) as { request_id?: unknown; status?: unknown };
	return typeof requestId === 'string' && typeof status === 'string' ? { request_id: requestId, status } : undefined;
}
