/**
 * Prepares an existing Temporal cluster for the coordinator: the namespace and the custom search attributes of
 * search-attributes.ts. Idempotent: running it again changes nothing and succeeds.
 */
import { isGrpcServiceError, type ConnectionLike } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { SEARCH_ATTRIBUTES } from './search-attributes';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

const INDEXED_TYPES: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

export interface WantedAttribute {
  name: string;
  type: SearchAttributeType;
}

export interface SearchAttributePlan {
  toAdd: Record<string, temporal.api.enums.v1.IndexedValueType>;
  present: string[];
  /** Same name, another type: only an operator can resolve this (the cluster never changes a type). */
  conflicts: Array<{ name: string; wanted: string; existing: string }>;
}

function typeName(type: temporal.api.enums.v1.IndexedValueType): string {
  return (IndexedValueType[type] ?? String(type)).replace('INDEXED_VALUE_TYPE_', '');
}

/** What to add, given the attributes the namespace already has (custom and system, name → type). */
export function planSearchAttributes(
  wanted: readonly WantedAttribute[],
  existing: Record<string, temporal.api.enums.v1.IndexedValueType>,
): SearchAttributePlan {
  const plan: SearchAttributePlan = { toAdd: {}, present: [], conflicts: [] };
  for (const { name, type } of wanted) {
    const want = INDEXED_TYPES[type];
    const have = existing[name];
    if (have === undefined) plan.toAdd[name] = want;
    else if (have === want) plan.present.push(name);
    else plan.conflicts.push({ name, wanted: typeName(want), existing: typeName(have) });
  }
  return plan;
}

export class SearchAttributeConflictError extends Error {
  constructor(readonly conflicts: SearchAttributePlan['conflicts']) {
    super(
      conflicts
        .map((c) => `search attribute ${c.name} exists as ${c.existing}, the coordinator needs ${c.wanted}`)
        .join('; ') + ' (remove or rename it on the cluster, then run setup again)',
    );
    this.name = 'SearchAttributeConflictError';
  }
}

export interface SetupOptions {
  connection: ConnectionLike;
  namespace: string;
  /** Retention of closed workflows when the namespace has to be registered. */
  retentionDays?: number;
  /** How long to wait for a just-registered namespace to become visible to the cluster. */
  namespaceReadyTimeoutMs?: number;
}

export interface SetupResult {
  namespaceRegistered: boolean;
  added: string[];
  present: string[];
}

async function namespaceExists(connection: ConnectionLike, namespace: string): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch (error) {
    if (isGrpcServiceError(error) && error.code === grpcStatus.NOT_FOUND) return false;
    throw error;
  }
}

async function registerNamespace(
  connection: ConnectionLike,
  namespace: string,
  retentionDays: number,
): Promise<boolean> {
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`),
    });
    return true;
  } catch (error) {
    // Another setup run registered it first.
    if (isGrpcServiceError(error) && error.code === grpcStatus.ALREADY_EXISTS) return false;
    throw error;
  }
}

async function listSearchAttributes(connection: ConnectionLike, namespace: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await connection.operatorService.listSearchAttributes({ namespace });
      return { ...response.systemAttributes, ...response.customAttributes };
    } catch (error) {
      // A namespace registered a moment ago reaches every cluster service's cache within seconds.
      const notYet = isGrpcServiceError(error) && error.code === grpcStatus.NOT_FOUND;
      if (!notYet || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

export async function setupCluster(options: SetupOptions): Promise<SetupResult> {
  const { connection, namespace } = options;
  const namespaceRegistered =
    !(await namespaceExists(connection, namespace)) &&
    (await registerNamespace(connection, namespace, options.retentionDays ?? 30));

  const existing = await listSearchAttributes(connection, namespace, options.namespaceReadyTimeoutMs ?? 30_000);
  const plan = planSearchAttributes(SEARCH_ATTRIBUTES, existing);
  if (plan.conflicts.length > 0) throw new SearchAttributeConflictError(plan.conflicts);
  const added = Object.keys(plan.toAdd);
  if (added.length > 0) {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: plan.toAdd });
  }
  return { namespaceRegistered, added, present: plan.present };
}
