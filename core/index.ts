/**
 * core: the one implementation of the Clipia operations, free of n8n, MCP and axios.
 * This is what the two surfaces use; tests reach internals by their paths.
 */

// What a surface hands core, and core's client over it.
export {
	abortError,
	isAbortError,
	lowerCaseHeaders,
	settle,
	type Settled,
	type HttpRequest,
	type HttpResponse,
	type Runtime,
	type Transport,
} from './runtime';
export { ClipiaClient, normalizeBaseUrl, type ClientOptions } from './http/client';
export { RequestBudget } from './http/budget';
export { KeyState, KeyStates, keyStates, type ProcessClock } from './key-state';
export { callDeadlines, LAST_ANSWER_MS } from './deadlines';
export { isTerminal, type GenerationOutput, type GenerationStatus, type ModelDetail } from './http/wire';

// The operations.
export type { GenerationContext, OperationContext } from './operations/context';
export {
	generateAudio,
	generateImage,
	generateVideo,
	prepareAudio,
	prepareImage,
	prepareVideo,
	priceGenerations,
	runGeneration,
	type PreparedGeneration,
	type RunOptions,
} from './operations/generate';
export { canonicalJson, reproducibleKey, type JobIdentity, type Sha256Hex } from './idempotency';
export { checkRequestId, getGeneration, waitGeneration } from './operations/requests';
export { batchState, Deliveries, EndedAnswers, type BatchState } from './operations/ended';
export { parseWebhookBody, verifyWebhook, type HmacSha256, type WebhookCheck } from './webhooks';
export { estimateCost, getBalance, getModel, listModels, type ListModelsParams } from './operations/catalog';

// Their fields, results and errors.
export {
	AUDIO_FIELDS,
	DEFAULT_IMAGE_MODEL,
	DEFAULT_MUSIC_MODEL,
	DEFAULT_SPEECH_MODEL,
	DEFAULT_IMAGE_TO_VIDEO_MODEL,
	DEFAULT_TEXT_TO_VIDEO_MODEL,
	IMAGE_FIELDS,
	VIDEO_FIELDS,
	fieldsFor,
	type FieldSpec,
	type GenerateAudioParams,
	type GenerateImageParams,
	type GenerateVideoParams,
	type ParamsOf,
	type Surface,
} from './fields';
export { isHttpsOrLocal, type FieldValues } from './validate';
export { failureOf, mediaOf, type GenerationResult, type NextStep } from './result';
export {
	ClipiaError,
	downloadFailedError,
	redactSecrets,
	stillRunningError,
	validationError,
	type ClipiaErrorCode,
} from './errors';
export {
	SNIFF_BYTES,
	bytesAreClaimedType,
	mediaExtension,
	mediaFileName,
	mediaMimeType,
	mediaOrigins,
	sniffMediaType,
	type MediaKind,
} from './media';
