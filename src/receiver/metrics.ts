import { Counter, Histogram, Registry } from 'prom-client';
import type { SignatureFailure } from '../gitea/signature';

export type DeliveryOutcome =
  | 'accepted'
  | 'no_workflow'
  | 'ignored'
  | 'unauthorized'
  | 'unsupported_media_type'
  | 'too_large'
  | 'bad_request'
  | 'bad_json'
  | 'invalid_payload'
  | 'unavailable';

const KNOWN_EVENTS = new Set(['issues', 'issue_assign', 'issue_label', 'issue_milestone', 'issue_comment']);
const KNOWN_ACTIONS = new Set([
  'opened',
  'edited',
  'closed',
  'reopened',
  'assigned',
  'unassigned',
  'label_updated',
  'label_cleared',
  'milestoned',
  'demilestoned',
  'created',
  'deleted',
]);

export interface ReceiverMetrics {
  registry: Registry;
  /** `event`/`action` are undefined until the signature is verified: untrusted headers never become labels. */
  observeDelivery(labels: { event?: string; action?: string; outcome: DeliveryOutcome }, seconds: number): void;
  signatureFailure(reason: SignatureFailure): void;
}

/** One registry per app, so that several apps in one process (tests, benchmark) never share counters. */
export function createReceiverMetrics(): ReceiverMetrics {
  const registry = new Registry();
  const deliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Gitea webhook deliveries by event type, action and outcome',
    labelNames: ['event', 'action', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'webhook_delivery_duration_seconds',
    help: 'Time from request to response for Gitea webhook deliveries',
    labelNames: ['outcome'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const signatureFailures = new Counter({
    name: 'webhook_signature_failures_total',
    help: 'Deliveries rejected because their signature was missing, malformed or wrong',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  return {
    registry,
    observeDelivery({ event, action, outcome }, seconds) {
      deliveries.inc({ event: bounded(event, KNOWN_EVENTS), action: bounded(action, KNOWN_ACTIONS), outcome });
      latency.observe({ outcome }, seconds);
    },
    signatureFailure(reason) {
      signatureFailures.inc({ reason });
    },
  };
}

function bounded(value: string | undefined, known: Set<string>): string {
  if (value === undefined) return 'unknown';
  return known.has(value) ? value : 'other';
}
