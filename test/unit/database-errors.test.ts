import { createServer } from 'node:net'
import { DriverAdapterError } from '@prisma/driver-adapter-utils'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/db/database.js'
import { isDatabaseUnavailable } from '../../src/errors/database-errors.js'
import { Prisma } from '../../src/generated/prisma/client.js'
import { openTestDatabase } from '../helpers/database.js'

/** Prisma's error for a failed query, with the driver adapter's error in `meta` as Prisma 7 reports it. */
function prismaError(code: string, cause?: Record<string, unknown>) {
  return new Prisma.PrismaClientKnownRequestError(`Invalid invocation: ${code}`, {
    code,
    clientVersion: '7',
    meta: cause ? { driverAdapterError: { name: 'DriverAdapterError', cause } } : undefined,
  })
}

function socketError(code: string) {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' })
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

describe('isDatabaseUnavailable', () => {
  it.each([
    [
      'P1001 DatabaseNotReachable',
      prismaError('P1001', { kind: 'DatabaseNotReachable', host: 'h', port: 1 }),
    ],
    ['P1017 ConnectionClosed', prismaError('P1017', { kind: 'ConnectionClosed' })],
    ['P1008 SocketTimeout', prismaError('P1008', { kind: 'SocketTimeout' })],
    ['P2024 pool timeout', prismaError('P2024')],
    [
      'P2039 admin shutdown (57P01)',
      prismaError('P2039', { kind: 'postgres', code: '57P01', severity: 'FATAL', message: 'terminating' }),
    ],
    [
      'P2010 raw query, connection failure (08006)',
      prismaError('P2010', { kind: 'postgres', code: '08006', severity: 'FATAL', message: 'gone' }),
    ],
    ['P2010 raw query, ConnectionClosed', prismaError('P2010', { kind: 'ConnectionClosed' })],
    ['TooManyConnections', prismaError('P2039', { kind: 'TooManyConnections', cause: 'too many' })],
    ['a bare DriverAdapterError', new DriverAdapterError({ kind: 'ConnectionClosed' })],
    ['pg mid-query', Object.assign(new Error('Connection terminated unexpectedly'), { clientVersion: '7' })],
    ['pg pool ended', new Error('Cannot use a pool after calling end on the pool')],
    ['pg pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['pg server error 57P01', Object.assign(new Error('terminating'), { code: '57P01', severity: 'FATAL' })],
    ['ECONNREFUSED', socketError('ECONNREFUSED')],
    ['ECONNRESET', socketError('ECONNRESET')],
    ['PGlite closed', new Error('PGlite is closed')],
    ['wrapped as a cause', new Error('could not save', { cause: socketError('ECONNREFUSED') })],
  ])('%s: unavailable', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true)
  })

  it.each([
    ['P2002 unique violation', prismaError('P2002', { kind: 'UniqueConstraintViolation' })],
    ['P2025 not found', prismaError('P2025')],
    [
      'P2010 syntax error (42601)',
      prismaError('P2010', { kind: 'postgres', code: '42601', severity: 'ERROR', message: 'syntax' }),
    ],
    ['P2039 statement timeout (57014)', prismaError('P2039', { kind: 'postgres', code: '57014' })],
    ['a plain error', new Error('boom')],
    ['a 57P01-looking code without a severity', Object.assign(new Error('x'), { code: '57P01' })],
    ['not an error', 'Connection terminated'],
    ['nothing', undefined],
  ])('%s: not unavailable', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false)
  })

  it('recognises what Prisma really throws when PGlite is closed under it', async () => {
    const database = await openTestDatabase('pglite')
    await database.close()
    const error = await database.prisma.$queryRaw`SELECT 1`.catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(Error)
    expect(isDatabaseUnavailable(error)).toBe(true)
  })

  it('recognises what Prisma really throws when PostgreSQL refuses the connection', async () => {
    const port = await closedPort()
    const database = await openDatabase({ databaseUrl: `postgresql://nobody@127.0.0.1:${port}/none` })
    try {
      const query = await database.prisma.registration.count().catch((caught: unknown) => caught)
      expect(query).toMatchObject({ code: 'P1001' })
      expect(isDatabaseUnavailable(query)).toBe(true)
      const raw = await database.prisma.$queryRaw`SELECT 1`.catch((caught: unknown) => caught)
      expect(raw).toMatchObject({ code: 'P2010' })
      expect(isDatabaseUnavailable(raw)).toBe(true)
      expect(isDatabaseUnavailable(await database.ping().catch((caught: unknown) => caught))).toBe(true)
    } finally {
      await database.close()
    }
  })
})
