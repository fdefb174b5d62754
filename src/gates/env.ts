/**
 * Gates run code the agent wrote, so they get only the environment a build needs: an allowlist, never the
 * coordinator's own secrets (GITEA_TOKEN, ANTHROPIC_API_KEY, GITEA_WEBHOOK_SECRET, ...).
 */
const ALLOWED = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TERM',
  'TMPDIR',
  'TEMP',
  'TMP',
  'NODE_ENV',
  'NODE_PATH',
  'CI',
  'PYTHONPATH',
  'VIRTUAL_ENV',
  'PYENV_ROOT',
  'PYENV_VERSION',
  'JAVA_HOME',
  'GOPATH',
  'GOCACHE',
  'CARGO_HOME',
  'RUSTUP_HOME',
  'XDG_CACHE_HOME',
  'XDG_CONFIG_HOME',
]);
const ALLOWED_PREFIXES = ['LC_'];

export function scrubbedEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if (ALLOWED.has(name) || ALLOWED_PREFIXES.some((prefix) => name.startsWith(prefix))) env[name] = value;
  }
  // Tools behave deterministically (no colours, no watch mode, no interactive prompts) under CI.
  env.CI = 'true';
  env.FORCE_COLOR = '0';
  env.NO_COLOR = '1';
  return env;
}
