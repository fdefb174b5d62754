import { isSecretName, redact as redactWith } from '../domain/redact';

/** Values of the environment's secret-named variables (at least 4 characters, to avoid masking noise). */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.entries(env)
    .filter(([name, value]) => isSecretName(name) && value !== undefined && value.length >= 4)
    .map(([, value]) => value!)
    .sort((a, b) => b.length - a.length);
}

/** Masks the values of this process's secret-named variables and anything that looks like a credential. */
export function redact(text: string, secrets: readonly string[] = secretValues()): string {
  return redactWith(text, secrets);
}
