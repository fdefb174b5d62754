import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/gitea/signature';
import { issueCommentPayloadSchema, issuePayloadSchema } from '../../src/gitea/webhook-payloads';
import {
  issueCommentPayload,
  issuePayload,
  sendGiteaWebhook,
  startFakeGitea,
  type FakeGitea,
} from '../fakes/gitea-server';

interface Delivery {
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

describe('the fake Gitea sends webhooks the receiver code accepts', () => {
  let gitea: FakeGitea;
  let server: Server;
  let url: string;
  const deliveries: Delivery[] = [];

  beforeAll(async () => {
    gitea = await startFakeGitea();
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        deliveries.push({ headers: req.headers, raw: Buffer.concat(chunks) });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/gitea`;
  });
  afterAll(async () => {
    await gitea.close();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => (deliveries.length = 0));

  it('signs an issue event over the raw body with Gitea headers', async () => {
    const issue = gitea.addIssue({ owner: 'acme', repo: 'widgets', assignees: ['bot'] });
    const result = await sendGiteaWebhook(url, {
      event: 'issues',
      secret: 'hook-secret',
      payload: issuePayload('assigned', issue, gitea),
    });
    expect(result.status).toBe(200);
    const { headers, raw } = deliveries[0]!;
    expect(headers['x-gitea-event']).toBe('issues');
    expect(headers['x-gitea-event-type']).toBe('issue_assign');
    expect(headers['x-gitea-delivery']).toBe(result.deliveryId);
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-hub-signature-256']).toBe(`sha256=${String(headers['x-gitea-signature'])}`);
    const verdict = verifySignature(
      raw,
      { giteaSignature: headers['x-gitea-signature'], hubSignature256: headers['x-hub-signature-256'] },
      ['hook-secret'],
    );
    expect(verdict.ok).toBe(true);
    const payload = issuePayloadSchema.parse(JSON.parse(raw.toString('utf8')));
    expect(payload).toMatchObject({ action: 'assigned', number: 1 });
    expect(raw.toString('utf8')).toContain('\n  "action": "assigned"');
  });

  it('sends comment events, and unsigned or tampered bodies fail verification', async () => {
    const issue = gitea.addIssue({ owner: 'acme', repo: 'widgets' });
    const comment = gitea.addComment(issue, '/done', 'agent-bot');
    await sendGiteaWebhook(url, {
      event: 'issue_comment',
      payload: issueCommentPayload('created', issue, comment, gitea),
    });
    await sendGiteaWebhook(url, {
      event: 'issue_comment',
      secret: 'hook-secret',
      payload: issueCommentPayload('created', issue, comment, gitea),
      tamperedBody: JSON.stringify({ tampered: true }),
    });
    const [unsigned, tampered] = deliveries;
    expect(unsigned!.headers['x-gitea-event-type']).toBe('issue_comment');
    expect(issueCommentPayloadSchema.parse(JSON.parse(unsigned!.raw.toString('utf8')))).toMatchObject({
      action: 'created',
      comment: { body: '/done', user: { login: 'agent-bot' } },
    });
    const verify = (d: Delivery) =>
      verifySignature(
        d.raw,
        { giteaSignature: d.headers['x-gitea-signature'], hubSignature256: d.headers['x-hub-signature-256'] },
        ['hook-secret'],
      ).ok;
    expect(verify(unsigned!)).toBe(false);
    expect(verify(tampered!)).toBe(false);
    expect(JSON.parse(tampered!.raw.toString('utf8'))).toEqual({ tampered: true });
  });
});
