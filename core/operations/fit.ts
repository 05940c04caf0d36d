/**
 * Fitting a generation to its model. The field tables hold what most models take, but the
 * model's own `input_schema` (`GET /v1/models/{slug}`) is the truth: one spells its sizes
 * `1K`, another has no aspect ratio, another allows 5 or 10 seconds only. Before any
 * credit is spent, each value the user chose is matched to the model's spelling, and a
 * value the model can't take is a clear error naming what it does take.
 */

import { ClipiaError, validationError } from '../errors';
import type { FieldSpec } from '../fields';
import type { ClipiaClient } from '../http/client';
import type { InputFieldSchema } from '../http/wire';
import { settle, unlessAborted } from '../runtime';

export type InputSchema = Record<string, InputFieldSchema>;

/**
 * Returns `input` with each named field matched to the model's schema. Fields the schema
 * doesn't describe are refused; an empty schema (unknown) checks nothing.
 */
export function fitToModel(
	model: string,
	schema: InputSchema,
	input: Record<string, unknown>,
	fields: readonly FieldSpec[],
): Record<string, unknown> {
	const described = Object.keys(schema);
	if (!described.length) return input;
	const fitted: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(input)) {
		const spec = schema[key];
		const label = labelOf(fields, key);
		if (!spec) {
			throw validationError(
				key,
				`${model} has no ${label} setting: leave it unset, or pick a model that has it. ${model} takes ${described.join(', ')}.`,
			);
		}
		fitted[key] = fitValue(model, key, label, spec, value);
	}
	return fitted;
}

function fitValue(model: string, key: string, label: string, spec: InputFieldSchema, value: unknown): unknown {
	if (spec.enum?.length) {
		if ((spec.enum as readonly unknown[]).includes(value)) return value;
		// The same value in the model's own spelling (`1k` → `1K`), or a number given as text.
		const same = spec.enum.find((allowed) => String(allowed).toLowerCase() === String(value).trim().toLowerCase());
		if (same !== undefined) return same;
		throw validationError(
			key,
			`${model} takes ${label} ${spec.enum.map(String).join(', ')}; got ${JSON.stringify(value)}.`,
		);
	}
	if (typeof value === 'number') {
		const low = spec.minimum ?? -Infinity;
		const high = spec.maximum ?? Infinity;
		if (value < low || value > high) {
			const range =
				spec.minimum !== undefined && spec.maximum !== undefined
					? `from ${low} to ${high}`
					: spec.minimum !== undefined
						? `at least ${low}`
						: `at most ${high}`;
			throw validationError(key, `${model} takes ${label} ${range}; got ${value}.`);
		}
	}
	const maxItems = (spec as { max_items?: number }).max_items;
	if (Array.isArray(value) && typeof maxItems === 'number' && value.length > maxItems) {
		throw validationError(key, `${model} takes at most ${maxItems} ${label}; got ${value.length}.`);
	}
	return value;
}

function labelOf(fields: readonly FieldSpec[], key: string): string {
	const field = fields.find((candidate) => candidate.key === key);
	return field ? `"${field.displayName}" (${key})` : `"${key}"`;
}

/** How long a schema is trusted before it is read again. */
const SCHEMA_TTL_MS = 10 * 60_000;
/** The schema is a help, not a gate: it may take this long (and a third of the call's time) before the submit goes ahead without it. */
const SCHEMA_PATIENCE_MS = 8_000;

/** A read of a model's schema, begun at `at`; `schema` once it was read. */
interface SchemaRead {
	at: number;
	/** The read gives up by then. */
	until: number;
	reading: Promise<InputSchema | undefined>;
	schema?: InputSchema;
}

/**
 * Model schemas, read once per model for a while and shared by every item of a batch, and
 * by every client of the key in a process (n8n's executions on one worker).
 */
export class ModelSchemas {
	/** One read per model at a time: the items of a batch share it. */
	private readonly known = new Map<string, SchemaRead>();

	/**
	 * The model's input schema; undefined when it can't be read in time (the API then
	 * checks the input itself, and a refused submit costs nothing). An unknown model
	 * is an error: nothing is sent for it.
	 */
	async of(
		client: ClipiaClient,
		model: string,
		options: { signal?: AbortSignal; deadline?: number } = {},
	): Promise<InputSchema | undefined> {
		const now = client.runtime.now();
		let entry = this.known.get(model);
		if (entry && now - entry.at >= SCHEMA_TTL_MS) entry = undefined;
		if (entry?.schema) return entry.schema;
		// A third of this caller's time at most: its submit must still fit when the API is slow.
		const patience = Math.min(SCHEMA_PATIENCE_MS, ((options.deadline ?? Infinity) - now) / 3);
		if (!entry) {
			// Shared: one caller's cancel must not fail the others' read (each stops waiting on its own).
			// The caller's client reads; none is kept (in n8n it holds an execution's context).
			const started: SchemaRead = { at: now, until: now + patience, reading: this.read(client, model, now + patience) };
			this.known.set(model, (entry = started));
			// Only a schema read is remembered; a failed read is tried again by the next caller.
			started.reading.then(
				(schema) => (schema ? (started.schema = schema) : this.known.delete(model)),
				() => this.known.delete(model),
			);
		}
		// A read begun for another caller may outlast this one's patience: then this one goes ahead unchecked.
		const reading =
			now + patience >= entry.until
				? entry.reading
				: Promise.race([entry.reading, client.runtime.sleep(Math.max(0, patience)).then(() => undefined)]);
		return unlessAborted(reading, options.signal);
	}

	private async read(client: ClipiaClient, model: string, deadline: number): Promise<InputSchema | undefined> {
		const read = await settle(client.getModel(model, { deadline }));
		if (read.ok) return read.value.input_schema;
		const error = read.error;
		if (!(error instanceof ClipiaError)) return Promise.reject(error);
		if (error.code === 'not_found') {
			return Promise.reject(
				validationError('model', `Clipia has no model "${model}". Pick one from Clipia's model list.`),
			);
		}
		// A slow or unwell API: go ahead unchecked (Clipia checks the input itself, and a
		// refused submit costs nothing). A key that can't read can't submit either: say so now.
		if (error.retryable || error.code === 'deadline_exceeded' || error.code === 'invalid_response') return undefined;
		return Promise.reject(error);
	}
}

/**
 * The model's input schema through the cache of this client's key: shared by every client
 * of the key in a process (see `ModelSchemas.of`, `KeyState`).
 */
export function modelSchema(
	client: ClipiaClient,
	model: string,
	options: { signal?: AbortSignal; deadline?: number } = {},
): Promise<InputSchema | undefined> {
	return client.key.schemas.of(client, model, options);
}
