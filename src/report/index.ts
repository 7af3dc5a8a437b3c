/** The pure report renderers: JSON result, text log, job summary, action outputs. */
export { renderJson, toJsonResult } from './json.js';
export type { JsonOptions } from './json.js';
export {
  colorize,
  formatEvidence,
  formatInputError,
  formatProgressLine,
  formatResultLine,
  formatWorkload,
  renderTextSummary,
} from './text.js';
export { renderJobSummary } from './summary.js';
export type { SummaryOptions } from './summary.js';
export { actionOutputs, OUTPUT_NAMES } from './outputs.js';
export type { OutputName } from './outputs.js';
export { parseXyChart, renderTimelineChart } from './mermaid.js';
export type { ParsedXyChart, TimelineChart } from './mermaid.js';
