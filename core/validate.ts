/** Checks input against the field tables before anything is sent, so bad input costs nothing. */

import { validationError } from './errors';
import type { FieldSpec } from './fields';

/** Values keyed by the fields' API names; `undefined`, null and '' mean "not given". */
export type FieldValues = Record<string, unknown>;

/**
 * Returns the given fields, checked and normalised (numbers from numeric strings, URL
 * lists from comma/newline separated text). Throws a ClipiaError naming the field.
 */
export function validateFields(fields: readonly FieldSpec[], values: FieldValues): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const field of fields) {
		const raw = values[field.key];
		if (isEmpty(raw)) {
			if (field.required) throw validationError(field.key, `${label(field)} is required and cannot be empty.`);
			continue;
		}
		const value = checkValue(field, raw);
		if (value !== undefined) out[field.key] = value;
	}
	return out;
}

function checkValue(field: FieldSpec, raw: unknown): unknown {
	switch (field.type) {
		case 'string': {
			if (typeof raw !== 'string') throw validationError(field.key, `${label(field)} must be text.`);
			const text = raw.trim();
			if (!text) throw validationError(field.key, `${label(field)} is required and cannot be empty.`);
			return text;
		}
		case 'integer': {
			const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
			const range = `a whole number from ${field.min} to ${field.max}`;
			if (typeof value !== 'number' || !Number.isInteger(value)) {
				throw validationError(field.key, `${label(field)} must be ${range}; got ${show(raw)}.`);
			}
			if ((field.min !== undefined && value < field.min) || (field.max !== undefined && value > field.max)) {
				throw validationError(field.key, `${label(field)} must be ${range}; got ${value}.`);
			}
			return value;
		}
		case 'boolean':
			if (typeof raw === 'boolean') return raw;
			if (raw === 'true' || raw === 'false') return raw === 'true';
			throw validationError(field.key, `${label(field)} must be true or false; got ${show(raw)}.`);
		case 'enum': {
			// Case is the model's business (`1k` here, `1K` there): any case passes, the model's spelling is sent.
			const value = field.options?.find((option) => option.toLowerCase() === String(raw).trim().toLowerCase());
			if (value === undefined) {
				throw validationError(
					field.key,
					`${label(field)} must be one of ${field.options?.join(', ')}; got ${show(raw)}.`,
				);
			}
			return value;
		}
		case 'url':
			return checkHttpsUrl(field, raw);
		case 'json':
			return checkJsonObject(field, raw);
		case 'urlList': {
			const urls = parseUrlList(raw);
			if (field.maxItems !== undefined && urls.length > field.maxItems) {
				throw validationError(field.key, `${label(field)} takes at most ${field.maxItems} URLs; got ${urls.length}.`);
			}
			return urls.length ? urls.map((url) => checkHttpsUrl(field, url)) : undefined;
		}
	}
}

/** A JSON object, or text holding one; `{}` counts as not given. */
function checkJsonObject(field: FieldSpec, raw: unknown): Record<string, unknown> | undefined {
	let value = raw;
	if (typeof raw === 'string') {
		try {
			value = JSON.parse(raw);
		} catch {
			throw validationError(
				field.key,
				`${label(field)} must be a JSON object, e.g. {"seed": 42}; it is not valid JSON.`,
			);
		}
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw validationError(field.key, `${label(field)} must be a JSON object, e.g. {"seed": 42}.`);
	}
	return Object.keys(value).length ? (value as Record<string, unknown>) : undefined;
}

/** An array, or text with one URL per line or separated by commas. */
export function parseUrlList(raw: unknown): string[] {
	const parts = Array.isArray(raw) ? raw.map((item) => String(item)) : String(raw).split(/[\n,]/);
	return parts.map((part) => part.trim()).filter(Boolean);
}

function checkHttpsUrl(field: FieldSpec, raw: unknown): string {
	const text = typeof raw === 'string' ? raw.trim() : '';
	let url: URL | undefined;
	try {
		url = new URL(text);
	} catch {
		url = undefined;
	}
	if (!url || !isHttpsOrLocal(url)) {
		throw validationError(field.key, `${label(field)} must be an https:// URL; got ${show(raw)}.`);
	}
	return text;
}

/** https, or plain http only for a local server (the emulator): the rule the SDKs apply to base URLs. */
export function isHttpsOrLocal(url: URL): boolean {
	return (
		url.protocol === 'https:' ||
		(url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1'))
	);
}

function isEmpty(value: unknown): boolean {
	return (
		value === undefined ||
		value === null ||
		(typeof value === 'string' && value.trim() === '') ||
		(Array.isArray(value) && value.length === 0)
	);
}

function label(field: FieldSpec): string {
	return `"${field.displayName}" (${field.key})`;
}

function show(value: unknown): string {
	const text = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
	return text && text.length > 80 ? `${text.slice(0, 77)}...` : String(text);
}
