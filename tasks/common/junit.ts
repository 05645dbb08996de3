import { ReportItemBase } from './report';
import { neutraliseLine } from './remote-text';

/** Outcomes that are failures on the Tests tab. */
export const FAILING_OUTCOMES: ReadonlySet<string> = new Set(['failed', 'blocked', 'unhealthy']);

/** XML text: markup characters escaped, characters XML 1.0 cannot hold dropped, command markers neutralised. */
export function xmlText(value: string): string {
  return neutraliseLine(value, 4000)
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** One JUnit test suite: a test case per report item, failed/blocked/unhealthy items as failures. */
export function junitXml(suiteName: string, items: readonly ReportItemBase[], topLevelError?: { code: string; message: string; hint?: string | null }): string {
  const cases = items.map((item) => {
    const head = `    <testcase classname="${xmlText(`${suiteName}.${item.kind}`)}" name="${xmlText(item.name)}" time="0"`;
    if (!FAILING_OUTCOMES.has(item.outcome)) return `${head}><system-out>${xmlText(item.outcome)}</system-out></testcase>`;
    const error = item.error ?? { code: item.outcome, message: item.outcome };
    const text = [error.code, error.message, error.hint].filter((part): part is string => !!part).join('\n');
    return `${head}><failure type="${xmlText(error.code)}" message="${xmlText(`${item.outcome}: ${error.message}`)}">${xmlText(text)}</failure></testcase>`;
  });
  if (topLevelError) {
    const text = [topLevelError.code, topLevelError.message, topLevelError.hint].filter((part): part is string => !!part).join('\n');
    cases.push(`    <testcase classname="${xmlText(suiteName)}" name="${xmlText(suiteName)}" time="0"><failure type="${xmlText(topLevelError.code)}" message="${xmlText(topLevelError.message)}">${xmlText(text)}</failure></testcase>`);
  }
  const failures = items.filter((item) => FAILING_OUTCOMES.has(item.outcome)).length + (topLevelError ? 1 : 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites><testsuite name="${xmlText(suiteName)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">`,
    ...cases,
    '</testsuite></testsuites>',
    '',
  ].join('\n');
}
