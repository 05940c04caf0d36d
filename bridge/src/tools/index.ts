import { estimateCostTool, getBalanceTool, getModelTool, listModelsTool } from './catalog';
import { generateAudioTool } from './generate-audio';
import { generateImageTool } from './generate-image';
import { generateVideoTool } from './generate-video';
import { getGenerationTool } from './get-generation';
import { appGetGenerationTool } from './app-get-generation';
import type { ToolDefinition } from './tool';
import { waitGenerationTool } from './wait-generation';

/** Every tool the bridge serves, in the order clients list them. */
export const TOOLS = [
	generateImageTool,
	generateVideoTool,
	generateAudioTool,
	waitGenerationTool,
	getGenerationTool,
	listModelsTool,
	getModelTool,
	estimateCostTool,
	getBalanceTool,
	appGetGenerationTool,
] as const satisfies readonly ToolDefinition[];

export type { ToolCall, ToolDefinition, ToolOutcome, MediaHandling, InlineMedia, SavedMedia } from './tool';
export { callTimes } from './tool';
