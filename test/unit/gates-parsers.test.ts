import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEslint, parseGeneric, parseMypy, parseRuff, parseTsc } from '../../src/gates/parsers/diagnostics';
import { parseJest, parsePytest, parseVitest } from '../../src/gates/parsers/tests';
import { parseCobertura, parseCoveragePy, parseIstanbulSummary, parseLcov } from '../../src/gates/parsers/coverage';
import { coverageSummary } from '../../src/gates/coverage-report';
import { lineRanges } from '../../src/domain/line-ranges';

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'gates', name), 'utf8');
const WS = '/workspace';

describe('diagnostic parsers on captured output', () => {
  test('tsc: file, line, column, code and message, in both output styles', () => {
    expect(parseTsc(fixture('tsc.txt'), WS)).toEqual([
      {
        file: 'src/sum.ts',
        line: 2,
        column: 14,
        rule: 'TS2322',
        message: "Type 'string' is not assignable to type 'number'.",
      },
    ]);
    const pretty = "src/a.ts:7:3 - error TS2304: Cannot find name 'foo'.\n\n7   foo();\n    ~~~\n";
    expect(parseTsc(pretty, WS)).toEqual([
      { file: 'src/a.ts', line: 7, column: 3, rule: 'TS2304', message: "Cannot find name 'foo'." },
    ]);
    expect(parseTsc("error TS5083: Cannot read file '/x/tsconfig.json'.", WS)).toEqual([
      { rule: 'TS5083', message: "Cannot read file '/x/tsconfig.json'." },
    ]);
  });

  test('eslint JSON: errors only (warnings do not fail a gate), paths relative to the workspace', () => {
    expect(parseEslint(fixture('eslint.json'), WS)).toEqual([
      { file: 'sum.js', line: 2, column: 10, rule: 'no-unused-vars', message: "'unused' is defined but never used." },
    ]);
  });

  test('eslint stylish text, for configured commands without --format json', () => {
    expect(parseEslint(fixture('eslint-stylish.txt'), WS)).toEqual([
      { file: 'sum.js', line: 2, column: 10, rule: 'no-unused-vars', message: "'unused' is defined but never used" },
    ]);
  });

  test('ruff JSON and text', () => {
    expect(parseRuff(fixture('ruff.json'), WS)).toEqual([
      { file: 'pkg/util.py', line: 1, column: 8, rule: 'F401', message: '`os` imported but unused' },
      {
        file: 'pkg/util.py',
        line: 4,
        column: 13,
        rule: 'E711',
        message: 'Comparison to `None` should be `cond is None`',
      },
    ]);
    expect(parseRuff('pkg/util.py:1:8: F401 [*] `os` imported but unused\nFound 1 error.\n', WS)).toEqual([
      { file: 'pkg/util.py', line: 1, column: 8, rule: 'F401', message: '[*] `os` imported but unused' },
    ]);
  });

  test('mypy', () => {
    expect(parseMypy(fixture('mypy.txt'), WS)).toEqual([
      {
        file: 'pkg/util.py',
        line: 4,
        rule: 'return-value',
        message: 'Incompatible return value type (got "str", expected "int")',
      },
      { file: 'pkg/util.py', line: 9, rule: 'name-defined', message: 'Name "undefined_name" is not defined' },
    ]);
  });

  test('generic file:line:col lines', () => {
    expect(parseGeneric('lib/x.go:12:5: undefined: foo\nok\n', WS)).toEqual([
      { file: 'lib/x.go', line: 12, column: 5, message: 'undefined: foo' },
    ]);
  });
});

describe('test-runner parsers on captured output', () => {
  test('jest: the failing test, its assertion message and its location, without the code frame', () => {
    const findings = parseJest(fixture('jest.txt'), WS);
    expect(findings).toEqual([
      {
        file: 'sum.test.js',
        line: 2,
        message: 'adds: expect(received).toBe(expected) // Object.is equality | Expected: 4 | Received: 3',
      },
    ]);
  });

  test('pytest: every FAILED test with the E lines of its assertion', () => {
    expect(parsePytest(fixture('pytest.txt'), WS)).toEqual([
      {
        file: 'test_calc.py',
        message: 'test_add_wrong: AssertionError: two and two | assert 4 == 5 | +  where 4 = add(2, 2)',
      },
      {
        file: 'test_calc.py',
        message:
          'TestGroup::test_in_class: assert [1, 2] == [1, 3] | At index 1 diff: 2 != 3 | Use -v to get more diff',
      },
    ]);
  });

  test('vitest', () => {
    const output = ' FAIL  test/sum.test.ts > sum > adds\nAssertionError: expected 3 to be 4 // Object.is equality\n';
    expect(parseVitest(output, WS)).toEqual([
      { file: 'test/sum.test.ts', message: 'sum > adds: AssertionError: expected 3 to be 4 // Object.is equality' },
    ]);
  });
});

describe('coverage parsers on captured reports', () => {
  test('Istanbul coverage-summary.json: line percentages', () => {
    const report = parseIstanbulSummary(fixture('coverage-summary.json'), WS);
    expect(report).toEqual({
      format: 'istanbul-summary',
      percent: 66.66,
      files: [{ file: 'sum.js', percent: 66.66, uncoveredLines: [] }],
    });
  });

  test('lcov.info: uncovered lines per file', () => {
    expect(parseLcov(fixture('lcov.info'), WS)).toEqual({
      format: 'lcov',
      percent: 66.67,
      files: [{ file: 'sum.js', percent: 66.67, uncoveredLines: [2] }],
    });
  });

  test('Cobertura XML: resolves filenames against <source>', () => {
    expect(parseCobertura(fixture('cobertura-coverage.xml'), WS)).toEqual({
      format: 'cobertura',
      percent: 66.67,
      files: [{ file: 'sum.js', percent: 66.67, uncoveredLines: [2] }],
    });
  });

  test('coverage.py JSON', () => {
    expect(parseCoveragePy(fixture('coverage-py.json'), WS)).toEqual({
      format: 'coverage.py',
      percent: 75,
      files: [
        { file: 'calc.py', percent: 60, uncoveredLines: [5, 6] },
        { file: 'test_calc.py', percent: 100, uncoveredLines: [] },
      ],
    });
  });

  test('gaps: only files below the threshold, worst first, with their uncovered lines', () => {
    const summary = coverageSummary(parseCoveragePy(fixture('coverage-py.json'), WS), 85);
    expect(summary).toEqual({
      percent: 75,
      threshold: 85,
      gaps: [{ file: 'calc.py', percent: 60, uncoveredLines: [5, 6] }],
    });
    expect(coverageSummary(parseCoveragePy(fixture('coverage-py.json'), WS), 50).gaps).toEqual([]);
  });

  test('malformed reports are rejected, not read as 0% or 100%', () => {
    expect(() => parseIstanbulSummary('{}', WS)).toThrow(/total/);
    expect(() => parseLcov('TN:\n', WS)).toThrow(/no records/);
    expect(() => parseCobertura('<html></html>', WS)).toThrow(/Cobertura/);
    expect(() => parseCoveragePy('{"meta":{}}', WS)).toThrow(/coverage.py/);
  });

  test('line ranges', () => {
    expect(lineRanges([3, 4, 5, 9, 11, 12])).toBe('3-5, 9, 11-12');
    expect(lineRanges([])).toBe('');
  });
});
