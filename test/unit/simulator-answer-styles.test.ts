import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANSWER_STYLES, restyle } from '../../src/simulator/answer-styles.js'
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js'
import { SimulatorClient } from '../../src/simulator/testing/client.js'

// Contract §7: the answer styles say the same answer differently, and only on the Privy operations.

const WRONG_CODE = JSON.stringify({
  error: { code: 422, errors: ['Wrong OTP code'] },
  data: { remaining_attempts: 2 },
})
const FIELDS = JSON.stringify({ error: { code: 422, errors: [{ field: 'nik', messages: ['a', 'b'] }] } })
const SUCCESS = JSON.stringify({ message: 'Created', data: { transaction_id: 't-1', request_count: 1 } })

const styled = (style: (typeof ANSWER_STYLES)[number], payload: string, status = 422) =>
  restyle(style, status, payload)
const parsed = (style: (typeof ANSWER_STYLES)[number], payload: string, status = 422) =>
  JSON.parse(styled(style, payload, status).payload)

describe('restyle', () => {
  it('leaves the contract style as it is', () => {
    expect(styled('contract', WRONG_CODE)).toEqual({ payload: WRONG_CODE })
  })

  it('says a wrong code each way', () => {
    expect(parsed('details_in_errors', WRONG_CODE)).toEqual({
      error: { code: 422, errors: [{ message: 'Wrong OTP code', remaining_attempts: 2 }] },
    })
    expect(parsed('details_in_error', WRONG_CODE)).toEqual({
      error: { code: 422, errors: ['Wrong OTP code'], remaining_attempts: 2 },
    })
    expect(parsed('string_codes', WRONG_CODE)).toEqual({
      error: { code: '422', errors: ['Wrong OTP code'] },
      data: { remaining_attempts: '2' },
    })
    expect(parsed('error_text', WRONG_CODE)).toEqual({ error: 'Wrong OTP code', remaining_attempts: 2 })
    expect(parsed('minimal', WRONG_CODE)).toEqual({ error: { code: 422 }, data: { remaining_attempts: 2 } })
    expect(parsed('extra_fields', WRONG_CODE)).toMatchObject({
      error: { code: 422, errors: ['Wrong OTP code'], trace_id: expect.any(String) },
      data: { remaining_attempts: 2, hint: expect.any(Object) },
      meta: expect.any(Object),
    })
  })

  it('turns field errors into object entries and texts', () => {
    expect(parsed('details_in_errors', FIELDS).error.errors).toEqual([{ field: 'nik', message: 'a; b' }])
    expect(parsed('error_text', FIELDS)).toEqual({ error: 'nik: a, b' })
  })

  it('answers an error as an HTML page in the html style, and keeps successes as JSON', () => {
    const page = styled('html', WRONG_CODE, 422)
    expect(page.contentType).toMatch(/^text\/html/)
    expect(page.payload).toContain('<html>')
    expect(page.payload).not.toContain('remaining_attempts')
    expect(styled('html', SUCCESS, 201)).toEqual({ payload: SUCCESS })
  })

  it('drops message from a success in the minimal style and adds members in extra_fields', () => {
    expect(parsed('minimal', SUCCESS, 201)).toEqual({ data: { transaction_id: 't-1', request_count: 1 } })
    expect(parsed('extra_fields', SUCCESS, 201)).toMatchObject({
      message: 'Created',
      data: { transaction_id: 't-1', sim_extra: expect.any(Object) },
      meta: expect.any(Object),
    })
  })

  it('leaves a body that is not JSON as it is', () => {
    for (const style of ANSWER_STYLES) expect(styled(style, '{"cut', 201)).toEqual({ payload: '{"cut' })
  })
})

describe('the answer_style setting', () => {
  let simulator: RunningSimulator
  let client: SimulatorClient
  beforeAll(async () => {
    simulator = await startSimulator({ answerStyle: 'error_text' })
    client = new SimulatorClient(simulator.url)
  })
  afterAll(async () => {
    await simulator.close()
  })

  it('starts as configured, restyles Privy operations only, and goes back to it on reset', async () => {
    const style = async () =>
      ((await client.sim('GET', '/__sim/settings')).json as { answer_style: string }).answer_style
    expect(await style()).toBe('error_text')
    const unknownPath = await client.sim('POST', '/web/api/v2/nowhere', {})
    expect(unknownPath.json).toEqual({ error: 'No operation POST /web/api/v2/nowhere' })
    // The test surface keeps the contract's shape whatever the style.
    const refused = await client.sim('POST', '/__sim/settings', { answer_style: 'shouting' })
    expect(refused.status).toBe(422)
    expect((refused.json as { error: unknown }).error).toMatchObject({
      code: 422,
      errors: [{ field: 'answer_style' }],
    })
    await client.sim('POST', '/__sim/settings', { answer_style: 'html' })
    expect((await client.sim('POST', '/web/api/v2/nowhere', {})).text).toContain('<html>')
    await client.sim('POST', '/__sim/reset', {})
    expect(await style()).toBe('error_text')
  })
})
