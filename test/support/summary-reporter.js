// Prints one plain closing line ("N passed, N failed, N skipped") that CI tooling reads.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const {
      numPassedTests: p,
      numFailedTests: f,
      numPendingTests: s,
      numTotalTestSuites,
      numFailedTestSuites,
    } = results;
    process.stdout.write(
      `\nsuites: ${numTotalTestSuites - numFailedTestSuites} passed, ${numFailedTestSuites} failed\n`,
    );
    process.stdout.write(`tests: ${p} passed, ${f} failed, ${s} skipped\n`);
  }
}
module.exports = SummaryReporter;
