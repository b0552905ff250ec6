// A node:test reporter that emits one JSON line with the counts, for scripts/test-all.mjs.
// Suites (describe blocks) are not counted; skipped and todo tests are, so nothing hides.
export default async function* countReporter(source) {
  const counts = { passed: 0, failed: 0, skipped: 0, failedNames: [], skippedNames: [] };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const data = event.data;
    if (data.details?.type === 'suite') continue;
    if (data.skip !== undefined || data.todo !== undefined) {
      counts.skipped++;
      counts.skippedNames.push(data.name);
    } else if (event.type === 'test:pass') counts.passed++;
    else {
      counts.failed++;
      counts.failedNames.push(`${data.file ?? ''} › ${data.name}`);
    }
  }
  yield JSON.stringify(counts) + '\n';
}
