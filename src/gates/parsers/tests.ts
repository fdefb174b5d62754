import type { GateFinding } from '../../domain/types';
import { relativeTo } from './paths';

const MAX_MESSAGE_LINES = 8;

/**
 * Jest's failure blocks: `● Suite › test name`, the assertion message, then the code frame and stack (`at ...`),
 * which are left out. The file comes from the stack line that points into a test file.
 */
export function parseJest(output: string, dir: string): GateFinding[] {
  const findings: GateFinding[] = [];
  const blocks = output.split(/^\s*● /m).slice(1);
  for (const block of blocks) {
    const [title = '', ...rest] = block.split('\n');
    if (/^Console\b/.test(title)) continue;
    const message: string[] = [];
    for (const line of rest) {
      if (/^\s*at /.test(line) || /^\s*>?\s*\d+ \|/.test(line)) break;
      if (line.trim() || message.length) message.push(line.trim());
      if (message.length >= MAX_MESSAGE_LINES) break;
    }
    const location = /\(?([^\s()]+\.[cm]?[jt]sx?):(\d+):(\d+)\)?/.exec(rest.join('\n'));
    findings.push({
      ...(location ? { file: relativeTo(dir, location[1]!), line: Number(location[2]) } : {}),
      message: `${title.trim()}: ${collapse(message)}`,
    });
  }
  return findings;
}

/** Vitest: ` FAIL  test/a.test.ts > suite > name` followed by the error line. */
export function parseVitest(output: string, dir: string): GateFinding[] {
  const findings: GateFinding[] = [];
  const lines = output.split('\n');
  lines.forEach((line, index) => {
    const match = /^\s*(?:FAIL|×|✗)\s+(\S+) > (.+)$/.exec(line);
    if (!match) return;
    const error = lines.slice(index + 1, index + 4).find((next) => /Error|expected/i.test(next));
    findings.push({
      file: relativeTo(dir, match[1]!),
      message: `${match[2]!.trim()}${error ? `: ${error.trim()}` : ''}`,
    });
  });
  return findings;
}

/**
 * pytest with `-rf`/`-ra`: the short summary's `FAILED path::test - message` and `ERROR path - message` lines,
 * enriched with the `E   ` assertion lines of the matching failure section.
 */
export function parsePytest(output: string, dir: string): GateFinding[] {
  const detail = assertionLines(output);
  return [...output.matchAll(/^(FAILED|ERROR) (\S+?)(?:::(\S+))?(?: - (.+))?$/gm)].map((match) => {
    const [, kind, file, test, summary] = match;
    const name = test ?? file!;
    const assertion = detail.get(name.split('::').pop()!.replace(/\[.*$/, '')) ?? summary ?? kind!.toLowerCase();
    return { file: relativeTo(dir, file!), message: `${name}: ${assertion}` };
  });
}

function assertionLines(output: string): Map<string, string> {
  const byTest = new Map<string, string>();
  for (const section of output.split(/^_{3,} (?=\S.* _{3,}$)/m).slice(1)) {
    const name = /^(\S+?)(?:\[.*\])? _{3,}$/m.exec(section)?.[1]?.split('.').pop();
    const lines = [...section.matchAll(/^E[ \t]*(.*)$/gm)].map((match) => match[1]!.trim());
    if (name && lines.length) byTest.set(name, collapse(lines.slice(0, MAX_MESSAGE_LINES)));
  }
  return byTest;
}

function collapse(lines: string[]): string {
  return lines
    .filter((line) => line.length > 0)
    .join(' | ')
    .slice(0, 600);
}
