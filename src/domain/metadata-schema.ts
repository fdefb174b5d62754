/**
 * The model's answer about an issue, validated and bounded before anything uses it. The model read untrusted issue
 * text, so its answer is untrusted too: unknown fields are dropped, sizes are clamped, and anything that is not
 * the expected shape (a wrong type, an unknown difficulty, a malformed issue reference) rejects the whole answer.
 */
import { z } from 'zod';
import { clampContextTokens } from './context-estimate';
import { MAX_CRITERIA, MAX_CRITERION_LENGTH, MAX_REFERENCES, MAX_SUMMARY_LENGTH, truncate } from './heuristic-parser';
import { DIFFICULTIES } from './types';

const NAME = '[A-Za-z0-9_.-]{1,100}';
/** `#41`, `repo#41` or `owner/repo#41`: nothing else is a reference the coordinator will follow. */
export const ISSUE_REFERENCE_PATTERN = new RegExp(`^(?:(?:${NAME}/)?${NAME})?#[1-9][0-9]{0,9}$`);

const issueReferences = z
  .array(z.string().trim().regex(ISSUE_REFERENCE_PATTERN, 'not an issue reference like #41 or owner/repo#41'))
  .transform((refs) => refs.slice(0, MAX_REFERENCES));

export const modelAnswerSchema = z.object({
  estimated_context_tokens: z
    .number()
    .positive()
    .describe('Tokens of context a coding agent needs to do this issue: code to read, files to change, tests.')
    .transform(clampContextTokens),
  difficulty: z.enum(DIFFICULTIES).describe('How hard the issue is for a capable coding agent.'),
  blocked_by: issueReferences.describe(
    'Issues that must be closed before work can start, as written in the issue (#41, owner/repo#41). Empty if none.',
  ),
  blocks: issueReferences.describe('Issues that wait for this one, as written in the issue. Empty if none.'),
  summary: z
    .string()
    .min(1)
    .describe('One or two sentences: what the issue asks for.')
    .transform((text) => truncate(text, MAX_SUMMARY_LENGTH)),
  acceptance_criteria: z
    .array(z.string())
    .describe('Checkable conditions for the issue to be done, at most 20, each one short sentence.')
    .transform((items) =>
      items
        .map((item) => truncate(item, MAX_CRITERION_LENGTH))
        .filter((item) => item.length > 0)
        .slice(0, MAX_CRITERIA),
    ),
});

export type ModelAnswer = z.output<typeof modelAnswerSchema>;

/** JSON Schema for the forced tool call, derived from the zod schema so the two cannot drift apart. */
export function modelAnswerJsonSchema(): { type: 'object'; [key: string]: unknown } {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(modelAnswerSchema, { io: 'input' }) as Record<
    string,
    unknown
  >;
  return { ...schema, type: 'object' };
}

export type ModelAnswerCheck = { ok: true; answer: ModelAnswer } | { ok: false; reason: string };

export function checkModelAnswer(raw: unknown): ModelAnswerCheck {
  const parsed = modelAnswerSchema.safeParse(raw);
  if (parsed.success) return { ok: true, answer: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, reason: `${issue.path.join('.') || '(root)'}: ${issue.message}` };
}
