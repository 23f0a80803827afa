import type { SimContext } from '../context.js'
import type { SimDocument } from '../document-types.js'
import { SimError } from '../errors.js'
import type { SimRegistration } from '../state.js'

/**
 * The registration a `/__sim` call names. Reference numbers are unique per channel only, so a
 * `channel_id` picks one when several channels share it.
 */
export function findSimRegistration(
  context: SimContext,
  referenceNumber: string,
  channelId: string | undefined,
): SimRegistration {
  const matches = context.state
    .registrationsByReference(referenceNumber)
    .filter((item) => channelId === undefined || item.channelId === channelId)
  const [registration, ...others] = matches
  if (registration === undefined) throw new SimError(404, [`No registration ${referenceNumber}`])
  if (others.length > 0)
    throw new SimError(409, ['Several channels use this reference_number: add channel_id'])
  return registration
}

/** The document a `/__sim` call names, picked like a registration. */
export function findSimDocument(
  context: SimContext,
  referenceNumber: string,
  channelId: string | undefined,
): SimDocument {
  const matches = context.state
    .documentsByReference(referenceNumber)
    .filter((item) => channelId === undefined || item.channelId === channelId)
  const [document, ...others] = matches
  if (document === undefined) throw new SimError(404, [`No document ${referenceNumber}`])
  if (others.length > 0)
    throw new SimError(409, ['Several channels use this reference_number: add channel_id'])
  return document
}
