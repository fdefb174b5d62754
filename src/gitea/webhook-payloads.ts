import { z } from 'zod';

/**
 * The parts of Gitea's webhook payloads (modules/structs/hook.go: IssuePayload, IssueCommentPayload; issue.go:
 * Issue; repo.go: Repository) the coordinator reads. Objects are loose: newer Gitea versions add fields, and an
 * unknown field must never fail a delivery. Gitea serialises empty slices as `null`, so lists accept null as [].
 */
const listOrNull = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((items) => items ?? []);

const user = z.looseObject({ login: z.string().min(1) });
const label = z.looseObject({ name: z.string() });

export const giteaIssueSchema = z.looseObject({
  number: z.number().int().positive(),
  title: z.string(),
  body: z
    .string()
    .nullish()
    .transform((body) => body ?? ''),
  html_url: z.string().optional(),
  state: z.enum(['open', 'closed']),
  labels: listOrNull(label),
  assignees: listOrNull(user),
});

export const giteaRepositorySchema = z.looseObject({
  name: z.string().min(1),
  full_name: z.string().optional(),
  owner: user,
});

export const issuePayloadSchema = z.looseObject({
  action: z.string().min(1),
  issue: giteaIssueSchema,
  repository: giteaRepositorySchema,
  sender: user.nullish(),
});

export const issueCommentPayloadSchema = z.looseObject({
  action: z.enum(['created', 'edited', 'deleted']),
  issue: giteaIssueSchema,
  comment: z.looseObject({ id: z.number().int(), body: z.string().nullish(), user: user.nullish() }),
  repository: giteaRepositorySchema,
  sender: user.nullish(),
  is_pull: z.boolean().optional(),
});

export type GiteaIssue = z.infer<typeof giteaIssueSchema>;
export type IssuePayload = z.infer<typeof issuePayloadSchema>;
export type IssueCommentPayload = z.infer<typeof issueCommentPayloadSchema>;
