/** The Clipia REST API's wire format, as documented (see docs/clipia-api.md). */

export type GenerationStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'CANCELED';

export const TERMINAL_STATUSES: ReadonlySet<GenerationStatus> = new Set(['COMPLETED', 'FAILED', 'CANCELED']);

/** COMPLETED, FAILED or CANCELED: nothing will change any more. */
export function isTerminal(answer: { status: GenerationStatus }): boolean {
	return TERMINAL_STATUSES.has(answer.status);
}

export interface MediaFile {
	url: string;
	original_url?: string;
	width?: number;
	height?: number;
	duration?: number;
}

export interface GenerationOutput {
	images?: MediaFile[];
	video?: MediaFile;
	audio?: MediaFile;
}

export interface SubmitResponse {
	request_id: string;
	status: GenerationStatus;
	queue_position?: number | null;
	status_url: string;
	response_url: string;
	cost: number;
}

export interface StatusResponse {
	request_id: string;
	status: GenerationStatus;
	queue_position?: number | null;
	progress?: number | null;
	logs?: unknown[];
}

/** `GET /v1/requests/{id}`: 200 when terminal, 202 (lifecycle fields only) while running. */
export interface RequestResponse extends StatusResponse {
	model?: string;
	output?: GenerationOutput;
	error?: { code: string; message: string };
	cost?: number;
	created_at?: string;
	completed_at?: string | null;
}

export interface ModelPricing {
	credits: number;
	credits_base?: number;
	multipliers?: Record<string, Record<string, number>>;
	note?: string;
}

export type ModelType = 'image' | 'video' | 'audio';

export interface GenerationModel {
	slug: string;
	type: ModelType | (string & {});
	name: string;
	capabilities: string[];
	pricing: ModelPricing;
	description?: string;
}

export interface InputFieldSchema {
	type: string;
	required?: boolean;
	enum?: Array<string | number | boolean>;
	default?: unknown;
	minimum?: number;
	maximum?: number;
	description?: string;
}

export interface ModelDetail extends GenerationModel {
	input_schema: Record<string, InputFieldSchema>;
}

export interface AccountResponse {
	account_id: string;
	balance: { credits: number };
	usage_30d: { requests: number; credits_spent: number };
}

export interface EstimateResponse {
	credits: number;
}
