// grpc-js comes with @temporalio/client; its interceptors are the documented way to observe a Connection's calls.
import { InterceptingCall } from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import fc from 'fast-check';
import request from 'supertest';
import { loadConfig } from '../../src/config';
import { signBody } from '../../src/gitea/signature';
import { createLogger } from '../../src/logger';
import { createApp } from '../../src/receiver/app';
import { testServer, uniqueName } from '../helpers/temporal';
import { giteaBody, issuePayload } from '../helpers/gitea-webhook';

const SECRET = 'property-secret';
const config = loadConfig({
  TEMPORAL_TASK_QUEUE: uniqueName('tq'),
  GITEA_WEBHOOK_SECRET: SECRET,
  WEBHOOK_MAX_BODY_BYTES: '4096',
});
const EVENT_TYPES = ['issues', 'issue_assign', 'issue_label', 'issue_milestone', 'issue_comment', 'push', ''];
const ACTIONS = ['assigned', 'unassigned', 'edited', 'reopened', 'closed', 'label_updated', 'opened', 'x'];

let rpcCalls = 0;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  // A real client on the test server whose every RPC is counted on its way out.
  connection = await Connection.connect({
    address: testServer().address,
    interceptors: [
      (options, nextCall) => {
        rpcCalls++;
        return new InterceptingCall(nextCall(options));
      },
    ],
  });
  client = new Client({ connection, namespace: testServer().namespace });
});
afterAll(async () => connection.close());

const app = () => createApp({ client, config, log: createLogger('silent'), temporalDeadlineMs: 2_000 });

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const signatureValue = fc.oneof(
  fc.string(),
  hex64,
  hex64.map((h) => `sha256=${h}`),
  fc.constant(''),
);
const body = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.json({ maxDepth: 4 }),
  fc.constantFrom(...ACTIONS).map((action) => giteaBody(issuePayload(action, { owner: 'prop' }))),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
);

describe('the receiver under arbitrary input', () => {
  it('never answers 5xx and never calls Temporal without a valid signature', async () => {
    const target = app();
    const callsBefore = rpcCalls; // Connection.connect itself asks the server for its capabilities.
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.option(signatureValue, { nil: undefined }),
        fc.option(signatureValue, { nil: undefined }),
        fc.constantFrom(...EVENT_TYPES),
        contentType,
        fc.boolean(),
        async (raw, bare, hub, eventType, type, signWithWrongSecret) => {
          const headers: Record<string, string> = { 'Content-Type': type, 'X-Gitea-Event-Type': eventType };
          if (bare !== undefined) headers['X-Gitea-Signature'] = bare;
          if (hub !== undefined) headers['X-Hub-Signature-256'] = hub;
          if (signWithWrongSecret) headers['X-Gitea-Signature'] = signBody(raw, `${SECRET}-not`);
          const res = await request(target).post('/webhook/gitea').set(headers).send(raw);
          expect([401, 413, 415]).toContain(res.status);
          expect(res.body).toHaveProperty('error');
        },
      ),
      { numRuns: 300 },
    );
    expect(rpcCalls - callsBefore).toBe(0);
  });

  it('never answers 5xx to any signed body while Temporal is up', async () => {
    const target = app();
    const callsBefore = rpcCalls;
    const mutated = fc
      .tuple(fc.constantFrom(...ACTIONS), fc.constantFrom('issue', 'repository', 'action', 'sender'), fc.jsonValue())
      .map(([action, field, value]) =>
        giteaBody({ ...issuePayload(action, { owner: uniqueName('prop') }), [field]: value }),
      );
    await fc.assert(
      fc.asyncProperty(fc.oneof(body, mutated), fc.constantFrom(...EVENT_TYPES), async (raw, eventType) => {
        const headers = {
          'Content-Type': 'application/json',
          'X-Gitea-Event-Type': eventType,
          'X-Gitea-Signature': signBody(raw, SECRET),
        };
        const res = await request(target).post('/webhook/gitea').set(headers).send(raw);
        expect(res.status).toBeLessThan(500);
        expect(res.body).toEqual(expect.any(Object));
      }),
      { numRuns: 200 },
    );
    // The counter does see the receiver's calls: signed, valid deliveries reached Temporal.
    expect(rpcCalls).toBeGreaterThan(callsBefore);
  });
});
