/**
 * Idempotency-Keys a later run can reproduce.
 *
 * Clipia keeps an Idempotency-Key for 24 h: the same key with the same request body gets the
 * same `request_id` and is charged once. That makes Clipia a record of what was paid for that
 * outlives the process (or the n8n worker) that submitted it. A key derived from the job's own
 * identity (given by the caller, e.g. a row id and a date) and from the exact request lets a
 * run after a crash pick up the generations the crashed run paid for. A different request
 * under the same identity (an edited prompt) gets a key of its own, so it is a new generation,
 * never Clipia's 409 for a reused key.
 */

/** Hex SHA-256 of a UTF-8 string, from the surface (core does no cryptography of its own). */
export type Sha256Hex = (text: string) => string;

/** Where a reproducible key is derived from: what identifies the job, and the digest to use. */
export interface JobIdentity {
	/** Everything that scopes the job (e.g. workflow, node and the user's key), already joined. */
	scope: string;
	sha256Hex: Sha256Hex;
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>)
			.filter(([, inner]) => inner !== undefined)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/**
 * The Idempotency-Key of one submission of `body` to `model` for the job `identity`, shaped as
 * a UUID (version nibble 4, RFC 4122 variant) as Clipia's header expects.
 */
export function reproducibleKey(identity: JobIdentity, model: string, body: Record<string, unknown>): string {
	const hex = identity.sha256Hex(`clipia-job\n${identity.scope}\n${model}\n${canonicalJson(body)}`);
	const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
