// Prints one plain closing line ("tests: N passed, N failed, N skipped") that CI reads as the
// run's verdict; jest's own summary is not a format CI knows.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(
      `\ntests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`,
    );
  }
}
