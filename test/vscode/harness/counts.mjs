// Collects pass/fail per named check in the JSON shape scripts/test-all.mjs reads.

/** A tally of named checks; `toJSON()` gives `{passed, failed, skipped, failedNames, skippedNames}`. */
export class Counts {
  passed = 0;
  failed = 0;
  skipped = 0;
  failedNames = [];
  skippedNames = [];

  pass(name) {
    this.passed++;
    console.log(`  ✔ ${name}`);
  }

  fail(name, why) {
    this.failed++;
    this.failedNames.push(why ? `${name}: ${why}` : name);
    console.log(`  ✖ ${name}${why ? `\n      ${String(why).split('\n').join('\n      ')}` : ''}`);
  }

  /** Adds a mocha run's own per-test counts. */
  merge(results, prefix) {
    this.passed += results.passed;
    this.failed += results.failed;
    this.skipped += results.skipped;
    this.failedNames.push(...results.failedNames.map((n) => `${prefix}${n}`));
    this.skippedNames.push(...results.skippedNames.map((n) => `${prefix}${n}`));
  }

  /** Runs one named check; an exception fails it with the message. Returns whether it passed. */
  async check(name, fn) {
    try {
      await fn();
      this.pass(name);
      return true;
    } catch (err) {
      this.fail(name, err instanceof Error ? err.message : String(err));
      return false;
    }
  }

  toJSON() {
    const { passed, failed, skipped, failedNames, skippedNames } = this;
    return { passed, failed, skipped, failedNames, skippedNames };
  }
}
