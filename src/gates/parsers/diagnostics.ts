import type { GateFinding } from '../../domain/types';
import { relativeTo } from './paths';

/** `tsc --pretty false`: `src/a.ts(3,7): error TS2322: message`; pretty mode: `src/a.ts:3:7 - error TS2322: message`. */
export function parseTsc(output: string, dir: string): GateFinding[] {
  const findings: GateFinding[] = [];
  const pattern = /^(.+?)(?:\((\d+),(\d+)\)|:(\d+):(\d+)) ?[:-] ?error (TS\d+): (.+)$/gm;
  for (const match of output.matchAll(pattern)) {
    findings.push({
      file: relativeTo(dir, match[1]!.trim()),
      line: Number(match[2] ?? match[4]),
      column: Number(match[3] ?? match[5]),
      rule: match[6]!,
      message: match[7]!.trim(),
    });
  }
  for (const match of output.matchAll(/^error (TS\d+): (.+)$/gm))
    findings.push({ rule: match[1]!, message: match[2]! });
  return findings;
}

/** mypy: `pkg/a.py:3: error: message  [code]` (a column appears with --show-column-numbers). */
export function parseMypy(output: string, dir: string): GateFinding[] {
  const findings: GateFinding[] = [];
  for (const match of output.matchAll(/^(.+?):(\d+):(?:(\d+):)? error: (.+?)(?:\s+\[([\w-]+)\])?$/gm)) {
    findings.push({
      file: relativeTo(dir, match[1]!),
      line: Number(match[2]),
      ...(match[3] ? { column: Number(match[3]) } : {}),
      ...(match[5] ? { rule: match[5] } : {}),
      message: match[4]!,
    });
  }
  return findings;
}

interface EslintFile {
  filePath: string;
  messages: { ruleId: string | null; severity: number; message: string; line?: number; column?: number }[];
}

/** ESLint `--format json`, falling back to the default `stylish` text for configured commands. */
export function parseEslint(output: string, dir: string): GateFinding[] {
  const json = jsonArray<EslintFile>(output);
  if (json) {
    return json.flatMap((file) =>
      file.messages
        .filter((message) => message.severity === 2)
        .map((message) => ({
          file: relativeTo(dir, file.filePath),
          ...(message.line ? { line: message.line } : {}),
          ...(message.column ? { column: message.column } : {}),
          ...(message.ruleId ? { rule: message.ruleId } : {}),
          message: message.message,
        })),
    );
  }
  const findings: GateFinding[] = [];
  let file: string | undefined;
  for (const line of output.split('\n')) {
    const entry = /^\s+(\d+):(\d+)\s+error\s+(.+?)(?:\s{2,}(\S+))?\s*$/.exec(line);
    if (entry && file) {
      findings.push({
        file,
        line: Number(entry[1]),
        column: Number(entry[2]),
        ...(entry[4] ? { rule: entry[4] } : {}),
        message: entry[3]!,
      });
    } else if (/^\S/.test(line) && !/problems?\s*\(/.test(line)) file = relativeTo(dir, line.trim());
  }
  return findings;
}

interface RuffViolation {
  code: string | null;
  message: string;
  filename: string;
  location?: { row: number; column: number };
}

/** `ruff check --output-format json`, falling back to its `path:row:col: CODE message` text. */
export function parseRuff(output: string, dir: string): GateFinding[] {
  const json = jsonArray<RuffViolation>(output);
  if (json) {
    return json.map((violation) => ({
      file: relativeTo(dir, violation.filename),
      ...(violation.location ? { line: violation.location.row, column: violation.location.column } : {}),
      ...(violation.code ? { rule: violation.code } : {}),
      message: violation.message,
    }));
  }
  return [...output.matchAll(/^(.+?):(\d+):(\d+): ([A-Z]+\d+) (.+)$/gm)].map((match) => ({
    file: relativeTo(dir, match[1]!),
    line: Number(match[2]),
    column: Number(match[3]),
    rule: match[4]!,
    message: match[5]!,
  }));
}

/** Anything else: lines that look like `file:line[:col]: message`. */
export function parseGeneric(output: string, dir: string): GateFinding[] {
  return [...output.matchAll(/^([\w./\\-]+\.\w+):(\d+)(?::(\d+))?:? (?:error:? )?(.+)$/gm)].map((match) => ({
    file: relativeTo(dir, match[1]!),
    line: Number(match[2]),
    ...(match[3] ? { column: Number(match[3]) } : {}),
    message: match[4]!.trim(),
  }));
}

function jsonArray<T>(output: string): T[] | undefined {
  const start = output.indexOf('[');
  if (start < 0) return undefined;
  try {
    const value: unknown = JSON.parse(output.slice(start, output.lastIndexOf(']') + 1));
    return Array.isArray(value) ? (value as T[]) : undefined;
  } catch {
    return undefined;
  }
}
