import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CoverageSummary } from '../domain/types';
import {
  parseCobertura,
  parseCoveragePy,
  parseIstanbulSummary,
  parseLcov,
  type CoverageReport,
} from './parsers/coverage';

/** Where the default commands and the usual tools write their reports, best first. */
export const COVERAGE_REPORT_CANDIDATES = [
  'coverage/coverage-summary.json',
  'coverage/lcov.info',
  'lcov.info',
  'coverage/cobertura-coverage.xml',
  'coverage.xml',
  'coverage.json',
];

function parseReport(path: string, dir: string): CoverageReport {
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('.info')) return parseLcov(text, dir);
  if (path.endsWith('.xml')) return parseCobertura(text, dir);
  const json = JSON.parse(text) as Record<string, unknown>;
  return 'totals' in json ? parseCoveragePy(text, dir) : parseIstanbulSummary(text, dir);
}

/**
 * Reads the coverage reports the gate's command wrote. Only files modified since the gate started count: a report
 * left over from an earlier round must not vouch for this one. The first report gives the total; reports with
 * line detail fill in each file's uncovered lines.
 */
export function readCoverage(dir: string, startedAtMs: number, configured?: string): CoverageReport | undefined {
  const candidates = configured ? [configured, ...COVERAGE_REPORT_CANDIDATES] : COVERAGE_REPORT_CANDIDATES;
  const reports: CoverageReport[] = [];
  for (const candidate of new Set(candidates)) {
    const path = join(dir, candidate);
    try {
      if (statSync(path).mtimeMs < startedAtMs - 1000) continue;
      reports.push(parseReport(path, dir));
    } catch {
      continue;
    }
  }
  const [primary, ...others] = reports;
  if (!primary) return undefined;
  const detail = new Map(others.flatMap((report) => report.files).map((file) => [file.file, file.uncoveredLines]));
  const files = primary.files.map((file) =>
    file.uncoveredLines.length > 0 ? file : { ...file, uncoveredLines: detail.get(file.file) ?? [] },
  );
  return { ...primary, files };
}

const MAX_GAPS = 30;

/** Total against threshold, and the files below it (worst first) with their uncovered lines. */
export function coverageSummary(report: CoverageReport, threshold: number): CoverageSummary {
  const gaps = report.files
    .filter((file) => file.percent < threshold)
    .sort((a, b) => a.percent - b.percent || a.file.localeCompare(b.file))
    .slice(0, MAX_GAPS)
    .map((file) => ({ file: file.file, percent: file.percent, uncoveredLines: file.uncoveredLines.slice(0, 200) }));
  return { percent: report.percent, threshold, gaps };
}
