import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { createAnswerKeeper } from '../../src/lib/answer-keeper.js'
import { LogCapture } from '../helpers/log-capture.js'

/** What Prisma throws while PostgreSQL is unreachable (see database-errors.ts). */
function databaseAway(): Error {
  return Object.assign(new Error("Can't reach database server"), { code: 'P1001' })
}

function keeperWithLogs(options: { maxKept?: number; maxOtherFailures?: number } = {}) {
  const logs = new LogCapture()
  const keeper = createAnswerKeeper({
    logger: pino({ level: 'debug' }, logs.stream),
    initialDelayMs: 5,
    maxDelayMs: 20,
    ...options,
  })
  return { keeper, logs, lines: () => logs.lines.map((line) => JSON.parse(line)) }
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** A database that is away for the first `failures` writes. */
function database(failures: number, error: () => Error = databaseAway) {
  const state = { calls: 0, written: [] as string[] }
  return {
    state,
    write: (value: string) => async () => {
      state.calls++
      if (state.calls <= failures) throw error()
      state.written.push(value)
    },
  }
}

const TOKEN = 'rt-secret-token-value'

describe('the answer keeper', () => {
  it('keeps an answer the database could not take and writes it when the database is back', async () => {
    const { keeper, logs } = keeperWithLogs()
    const db = database(3)
    await keeper.write({ key: 'registration:1', referenceNumber: 'REG-1', write: db.write(TOKEN) })
    expect(keeper.pending()).toEqual(['REG-1'])
    await until(() => keeper.pending().length === 0)
    expect(db.state.written).toEqual([TOKEN])
    expect(db.state.calls).toBe(4)
    expect(logs.text()).toContain('REG-1')
    expect(logs.leaked([TOKEN])).toEqual([])
    await keeper.close()
  })

  it('writeOrKeep answers with the written row, or keeps the answer and throws on', async () => {
    const { keeper } = keeperWithLogs()
    expect(await keeper.writeOrKeep({ key: 'a', referenceNumber: 'REG-A', write: async () => 'row' })).toBe(
      'row',
    )
    const db = database(1)
    await expect(
      keeper.writeOrKeep({ key: 'b', referenceNumber: 'REG-B', write: db.write(TOKEN) }),
    ).rejects.toThrow(/reach database/)
    await until(() => db.state.written.length === 1)
    await keeper.close()
  })

  it('keeps one answer per row: a newer one replaces the older', async () => {
    const { keeper } = keeperWithLogs()
    const db = database(2)
    keeper.keep({ key: 'document:1', referenceNumber: 'DOC-1', write: db.write('old') }, databaseAway())
    keeper.keep({ key: 'document:1', referenceNumber: 'DOC-1', write: db.write('new') }, databaseAway())
    expect(keeper.pending()).toEqual(['DOC-1'])
    await until(() => keeper.pending().length === 0)
    expect(db.state.written).toEqual(['new'])
    await keeper.close()
  })

  it('is bounded: past maxKept an answer is refused, with an error naming its reference', async () => {
    const { keeper, lines } = keeperWithLogs({ maxKept: 2 })
    const never = async () => {
      throw databaseAway()
    }
    expect(keeper.keep({ key: '1', referenceNumber: 'REG-1', write: never })).toBe(true)
    expect(keeper.keep({ key: '2', referenceNumber: 'REG-2', write: never })).toBe(true)
    expect(keeper.keep({ key: '3', referenceNumber: 'REG-3', write: never })).toBe(false)
    expect(keeper.pending()).toEqual(['REG-1', 'REG-2'])
    expect(lines().find((line) => line.reference_number === 'REG-3')).toMatchObject({ level: 50 })
    await keeper.close()
  })

  it('gives up, loudly, on a write that keeps failing for another reason than an absent database', async () => {
    const { keeper, lines } = keeperWithLogs({ maxOtherFailures: 3 })
    const db = database(100, () => new Error('a bug, not an outage'))
    await keeper.write({ key: 'x', referenceNumber: 'REG-X', write: db.write(TOKEN) })
    await until(() => keeper.pending().length === 0)
    expect(db.state.calls).toBe(3)
    expect(lines().find((line) => line.level === 50 && line.reference_number === 'REG-X')?.msg).toMatch(
      /given up/,
    )
    await keeper.close()
  })

  it('on close: one last try each, then one error naming only the references still unwritten', async () => {
    const { keeper, logs, lines } = keeperWithLogs()
    // The database is back for the first (its write failed before it was kept), not for the second.
    const back = database(0)
    let away = true
    keeper.keep({ key: '1', referenceNumber: 'REG-BACK', write: back.write('written') }, databaseAway())
    keeper.keep(
      {
        key: '2',
        referenceNumber: 'REG-LOST',
        write: async () => {
          if (away) throw databaseAway()
        },
      },
      databaseAway(),
    )
    await keeper.close()
    away = false
    expect(back.state.written).toEqual(['written'])
    const errors = lines().filter((line) => line.level === 50)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ reference_numbers: ['REG-LOST'] })
    expect(logs.leaked([TOKEN])).toEqual([])
    // After close nothing is kept: an answer arriving now is named at once.
    expect(keeper.keep({ key: '3', referenceNumber: 'REG-LATE', write: back.write('x') })).toBe(false)
    expect(lines().at(-1)).toMatchObject({ level: 50, reference_numbers: ['REG-LATE'] })
  })
})
