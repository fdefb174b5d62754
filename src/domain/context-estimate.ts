/**
 * How many tokens of context an agent will need for an issue that does not say. A deliberately simple, documented
 * formula (README, "Parsing and assignment"), pinned by tests so that a change to it is a visible decision:
 *
 *   estimate = 20,000                         base: instructions, repository orientation, gate output
 *            + 3 × ceil(characters / 4)       the issue text (≈ 4 characters per token), read and re-read
 *            + 8,000 × checklist items        each item is a unit of work with code to read and write
 *            + 6,000 × referenced files       each distinct file path the issue names
 *   rounded up to a multiple of 1,000 and capped at 1,000,000.
 */
export interface ContextEstimateInputs {
  /** Title and body, after CRLF normalisation. */
  characters: number;
  checklistItems: number;
  referencedFiles: number;
}

export const CONTEXT_ESTIMATE = {
  baseTokens: 20_000,
  textMultiplier: 3,
  charactersPerToken: 4,
  tokensPerChecklistItem: 8_000,
  tokensPerReferencedFile: 6_000,
  roundTo: 1_000,
} as const;

/** Bounds on any context figure, stated, estimated or from the model. */
export const MIN_CONTEXT_TOKENS = 1_000;
export const MAX_CONTEXT_TOKENS = 1_000_000;

export function estimateContextTokens(inputs: ContextEstimateInputs): number {
  const c = CONTEXT_ESTIMATE;
  const raw =
    c.baseTokens +
    c.textMultiplier * Math.ceil(Math.max(0, inputs.characters) / c.charactersPerToken) +
    c.tokensPerChecklistItem * Math.max(0, inputs.checklistItems) +
    c.tokensPerReferencedFile * Math.max(0, inputs.referencedFiles);
  return clampContextTokens(Math.ceil(raw / c.roundTo) * c.roundTo);
}

export function clampContextTokens(tokens: number): number {
  if (!Number.isFinite(tokens)) return MAX_CONTEXT_TOKENS;
  return Math.min(MAX_CONTEXT_TOKENS, Math.max(MIN_CONTEXT_TOKENS, Math.round(tokens)));
}

/** `180k`, `1.2M`, `950`: for messages people read. */
export function formatTokens(tokens: number): string {
  if (tokens >= 1_000_000) return `${+(tokens / 1_000_000).toFixed(2)}M`;
  if (tokens >= 1_000) return `${+(tokens / 1_000).toFixed(1)}k`;
  return String(tokens);
}
