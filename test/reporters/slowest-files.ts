import { relative } from 'node:path'
import type { Reporter, TestModule } from 'vitest/node'

/** How many of the slowest test files a run prints at its end. */
const SHOWN = 10

/**
 * Prints the slowest test files of a run with their times, so CI shows where the suite's minutes go.
 * A file's time is what it took to import (collect) plus its tests and hooks: the part a file can
 * make faster by sharing its gateway or starting less.
 */
export default class SlowestFilesReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (testModules.length < 2) return
    const timed = testModules
      .map((module) => {
        const { collectDuration, duration } = module.diagnostic()
        return {
          file: relative(process.cwd(), module.moduleId),
          collectMs: collectDuration,
          totalMs: collectDuration + duration,
        }
      })
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, SHOWN)
    const lines = timed.map(
      ({ file, collectMs, totalMs }) =>
        `  ${seconds(totalMs).padStart(7)}  ${file} (import ${seconds(collectMs)})`,
    )
    process.stdout.write(`\nSlowest ${timed.length} test files:\n${lines.join('\n')}\n`)
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
