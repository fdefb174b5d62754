// The workflow bundle's entry point: every workflow the worker runs, and nothing that does I/O.
export { issueWorkflow } from './issue-workflow';
export { reconcileWorkflow } from './reconcile-workflow';
