import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import { Worker } from '@temporalio/worker';
import { testServer } from '../helpers/temporal';

/**
 * npm gives @temporalio/proto and @temporalio/common separate copies of protobufjs here (the top-level one is v7,
 * for @grpc/proto-loader), so common's `historyFromJSON` rejects proto's types ("type must be a Type"). Parse the
 * `temporal workflow show --output json` form with the copy that built the types instead.
 */
const { fromJson } = createRequire(require.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as {
  fromJson(
    type: unknown,
    json: unknown,
    options: { ignoreUnknownFields: boolean },
  ): proto.temporal.api.history.v1.History;
};
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);
const loadHistory = (file: string) =>
  fromJson(historyType, JSON.parse(readFileSync(join(dir, file), 'utf8')), { ignoreUnknownFields: true });

/**
 * Replays histories recorded from the workflow tests (RECORD_HISTORIES=1 npx jest test/integration/workflow) against
 * the current workflow code: a change that is not deterministic for running workflows fails here.
 */
const dir = join(__dirname, '..', 'fixtures', 'histories');
const histories = readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .sort();

describe('replaying recorded issue-workflow histories', () => {
  it('has recorded histories to replay', () => {
    expect(histories.length).toBeGreaterThanOrEqual(8);
  });

  it('replays every recorded history with the current workflow code', async () => {
    const replays = Worker.runReplayHistories(
      { workflowBundle: { codePath: testServer().bundlePath } },
      histories.map((file) => ({
        workflowId: file,
        history: loadHistory(file),
      })),
    );
    const failures: string[] = [];
    for await (const result of replays) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
  });
});
