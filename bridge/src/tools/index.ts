import { estimateCostTool, getBalanceTool, getModelTool, listModelsTool } from './catalog';
import { generateImageTool } from './generate-image';
import { generateVideoTool } from './generate-video';
import { getGenerationTool } from './get-generation';
import { refreshGenerationTool } from './refresh-generation';
import type { ToolDefinition } from './tool';
import { waitGenerationTool } from './wait-generation';

/** Every tool the bridge serves, in the order clients list them. */
export const TOOLS = [
	generateImageTool,
	generateVideoTool,
	waitGenerationTool,
	getGenerationTool,
	listModelsTool,
	getModelTool,
	estimateCostTool,
	getBalanceTool,
	refreshGenerationTool,
] as const satisfies readonly ToolDefinition[];

export type { ToolCall, ToolDefinition, ToolOutcome, MediaHandling, InlineImage, SavedMedia } from './tool';
export { callTimes } from './tool';
