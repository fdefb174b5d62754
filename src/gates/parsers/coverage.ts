import { relativeTo } from './paths';

export interface FileCoverage {
  file: string;
  percent: number;
  /** Empty when the format does not say (Istanbul's summary has percentages only). */
  uncoveredLines: number[];
}

export interface CoverageReport {
  format: 'istanbul-summary' | 'lcov' | 'cobertura' | 'coverage.py';
  /** Percent of lines covered. */
  percent: number;
  files: FileCoverage[];
}

const round = (value: number) => Math.round(value * 100) / 100;
const percentOf = (covered: number, total: number) => (total === 0 ? 100 : round((covered / total) * 100));

interface IstanbulMetric {
  total: number;
  covered: number;
  pct: number | string;
}

/** Istanbul `coverage-summary.json` (jest/vitest `json-summary` reporter): `total` plus one entry per file. */
export function parseIstanbulSummary(text: string, dir: string): CoverageReport {
  const summary = JSON.parse(text) as Record<string, { lines: IstanbulMetric }>;
  if (!summary.total?.lines) throw new Error('coverage-summary.json has no total.lines');
  const pct = (metric: IstanbulMetric) =>
    typeof metric.pct === 'number' ? metric.pct : percentOf(metric.covered, metric.total);
  const files = Object.entries(summary)
    .filter(([name]) => name !== 'total')
    .map(([name, entry]) => ({ file: relativeTo(dir, name), percent: pct(entry.lines), uncoveredLines: [] }));
  return { format: 'istanbul-summary', percent: pct(summary.total.lines), files };
}

/** `lcov.info`: `SF:` file, `DA:line,hits` per line, `end_of_record`. */
export function parseLcov(text: string, dir: string): CoverageReport {
  const files: FileCoverage[] = [];
  let covered = 0;
  let total = 0;
  let current: { file: string; lines: Map<number, number> } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('SF:')) current = { file: relativeTo(dir, line.slice(3)), lines: new Map() };
    else if (line.startsWith('DA:') && current) {
      const [lineNo, hits] = line.slice(3).split(',');
      current.lines.set(Number(lineNo), Math.max(current.lines.get(Number(lineNo)) ?? 0, Number(hits)));
    } else if (line === 'end_of_record' && current) {
      const uncovered = [...current.lines].filter(([, hits]) => hits === 0).map(([lineNo]) => lineNo);
      const fileCovered = current.lines.size - uncovered.length;
      covered += fileCovered;
      total += current.lines.size;
      files.push({
        file: current.file,
        percent: percentOf(fileCovered, current.lines.size),
        uncoveredLines: uncovered.sort((a, b) => a - b),
      });
      current = undefined;
    }
  }
  if (files.length === 0) throw new Error('lcov.info has no records');
  return { format: 'lcov', percent: percentOf(covered, total), files };
}

const attribute = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];

/** Cobertura XML (coverage.py `xml`, istanbul `cobertura`): `<class filename>` with `<line number hits>`. */
export function parseCobertura(text: string, dir: string): CoverageReport {
  const root = /<coverage\b[^>]*>/.exec(text)?.[0];
  if (!root) throw new Error('not a Cobertura report: no <coverage> element');
  const source = /<source>([^<]*)<\/source>/.exec(text)?.[1]?.trim();
  const byFile = new Map<string, Map<number, number>>();
  for (const match of text.matchAll(/<class\b([^>]*)>([\s\S]*?)<\/class>/g)) {
    const filename = attribute(match[1]!, 'filename');
    if (!filename) continue;
    const path = source && !filename.startsWith('/') ? `${source.replace(/\/$/, '')}/${filename}` : filename;
    const lines = byFile.get(path) ?? new Map<number, number>();
    for (const line of match[2]!.matchAll(/<line\b([^>]*)\/?>/g)) {
      const number = Number(attribute(line[1]!, 'number'));
      lines.set(number, Math.max(lines.get(number) ?? 0, Number(attribute(line[1]!, 'hits') ?? 0)));
    }
    byFile.set(path, lines);
  }
  let covered = 0;
  let total = 0;
  const files = [...byFile].map(([path, lines]) => {
    const uncovered = [...lines]
      .filter(([, hits]) => hits === 0)
      .map(([number]) => number)
      .sort((a, b) => a - b);
    covered += lines.size - uncovered.length;
    total += lines.size;
    return {
      file: relativeTo(dir, path),
      percent: percentOf(lines.size - uncovered.length, lines.size),
      uncoveredLines: uncovered,
    };
  });
  const lineRate = attribute(root, 'line-rate');
  const percent = total > 0 ? percentOf(covered, total) : round(Number(lineRate ?? 0) * 100);
  return { format: 'cobertura', percent, files };
}

interface CoveragePyFile {
  summary: { percent_covered: number };
  missing_lines?: number[];
}

/** coverage.py `coverage json` (also `pytest --cov-report=json`). */
export function parseCoveragePy(text: string, dir: string): CoverageReport {
  const report = JSON.parse(text) as { files?: Record<string, CoveragePyFile>; totals?: { percent_covered: number } };
  if (!report.totals || !report.files) throw new Error('not a coverage.py JSON report: no totals/files');
  const files = Object.entries(report.files).map(([name, entry]) => ({
    file: relativeTo(dir, name),
    percent: round(entry.summary.percent_covered),
    uncoveredLines: [...(entry.missing_lines ?? [])].sort((a, b) => a - b),
  }));
  return { format: 'coverage.py', percent: round(report.totals.percent_covered), files };
}
