// `npm run build`: the prebuilt workflow bundle that production workers load (no bundling at start).
const { writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { bundleWorkflowCode } = require('@temporalio/worker');

async function main() {
  const { code } = await bundleWorkflowCode({ workflowsPath: join(__dirname, '..', 'dist', 'workflows', 'index.js') });
  mkdirSync(join(__dirname, '..', 'dist'), { recursive: true });
  const target = join(__dirname, '..', 'dist', 'workflow-bundle.js');
  writeFileSync(target, code);
  console.log(`wrote ${target} (${(code.length / 1024).toFixed(0)} KiB)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
