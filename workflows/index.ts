/** Every workflow type the worker registers. */
export { agentWorkflow } from "./agent-workflow.js";
export { agentRunWorkflow } from "./run-workflow.js";
