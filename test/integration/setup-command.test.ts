import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { connectToTestServer, testServer, uniqueName, type TemporalTestContext } from '../helpers/temporal';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { planSearchAttributes, SearchAttributeConflictError, setupCluster } from '../../src/temporal/setup';

const { INDEXED_VALUE_TYPE_KEYWORD, INDEXED_VALUE_TYPE_KEYWORD_LIST, INDEXED_VALUE_TYPE_INT, INDEXED_VALUE_TYPE_TEXT } =
  temporal.api.enums.v1.IndexedValueType;
const EXPECTED_TYPES = {
  IssueKey: INDEXED_VALUE_TYPE_KEYWORD,
  IssueRepo: INDEXED_VALUE_TYPE_KEYWORD,
  IssuePhase: INDEXED_VALUE_TYPE_KEYWORD,
  AssignedAgent: INDEXED_VALUE_TYPE_KEYWORD,
  BlockedBy: INDEXED_VALUE_TYPE_KEYWORD_LIST,
  ContinuationRound: INDEXED_VALUE_TYPE_INT,
};
const ALL_NAMES = Object.keys(EXPECTED_TYPES).sort();

describe('planSearchAttributes', () => {
  it('adds what is missing, keeps what matches, and reports a type clash', () => {
    const plan = planSearchAttributes(SEARCH_ATTRIBUTES, {
      IssueKey: INDEXED_VALUE_TYPE_KEYWORD,
      ContinuationRound: INDEXED_VALUE_TYPE_TEXT,
    });
    expect(plan.present).toEqual(['IssueKey']);
    expect(plan.conflicts).toEqual([{ name: 'ContinuationRound', wanted: 'INT', existing: 'TEXT' }]);
    expect(Object.keys(plan.toAdd).sort()).toEqual(['AssignedAgent', 'BlockedBy', 'IssuePhase', 'IssueRepo']);
  });
});

describe('coordinator setup against the real dev server', () => {
  let ctx: TemporalTestContext;
  beforeAll(async () => {
    ctx = await connectToTestServer();
  });
  afterAll(async () => ctx.close());

  const customAttributes = async (namespace: string) =>
    (await ctx.client.connection.operatorService.listSearchAttributes({ namespace })).customAttributes;

  it('registers every search attribute in a fresh namespace, and a second run changes nothing', async () => {
    const namespace = uniqueName('setup');
    await ctx.client.connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });

    const first = await setupCluster({ connection: ctx.client.connection, namespace });
    expect(first.namespaceRegistered).toBe(false);
    expect([...first.added].sort()).toEqual(ALL_NAMES);
    expect(await customAttributes(namespace)).toMatchObject(EXPECTED_TYPES);

    const second = await setupCluster({ connection: ctx.client.connection, namespace });
    expect(second).toEqual({ namespaceRegistered: false, added: [], present: expect.any(Array) });
    expect([...second.present].sort()).toEqual(ALL_NAMES);
  });

  it('refuses, naming the attribute, when one exists with another type', async () => {
    const namespace = uniqueName('setup-clash');
    await ctx.client.connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    await ctx.client.connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: { IssuePhase: INDEXED_VALUE_TYPE_INT },
    });

    const attempt = setupCluster({ connection: ctx.client.connection, namespace });
    await expect(attempt).rejects.toThrow(SearchAttributeConflictError);
    await expect(attempt).rejects.toThrow('IssuePhase exists as INT, the coordinator needs KEYWORD');
    expect(await customAttributes(namespace)).not.toHaveProperty('IssueKey');
  });

  it('`npx coordinator setup` registers a missing namespace with its attributes, then reports all present', async () => {
    const namespace = uniqueName('setup-cli');
    const env = { ...process.env, TEMPORAL_ADDRESS: testServer().address, TEMPORAL_NAMESPACE: namespace };
    const run = () =>
      promisify(execFile)(process.execPath, [join(__dirname, '..', '..', 'bin', 'coordinator.js'), 'setup'], {
        env,
        timeout: 30_000,
      });

    const first = await run();
    expect(first.stdout).toContain(`namespace ${namespace}: registered`);
    expect(await customAttributes(namespace)).toMatchObject(EXPECTED_TYPES);

    const second = await run();
    expect(second.stdout).toContain(`namespace ${namespace}: already registered`);
    expect(second.stdout).toContain('search attributes added: none');
  });
});
