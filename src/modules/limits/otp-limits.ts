import type { FastifyBaseLogger } from 'fastify'
import type { OtpChannel } from '../../generated/prisma/client.js'
import { ownerIdFor, type Principal } from '../../lib/principal.js'
import { clientAddressKey } from './client-address.js'
import type { LimitsDb } from './limits.repository.js'
import type { Charge, LimitRule, LimitsService, Taken } from './limits.service.js'

/** The configured limits of OTP sends (config `abuse`). */
export interface OtpSendLimits {
  sendsPerUserPerHour: number
  sendsPerPhonePerHour: number
  sendsPerPhonePerDay: number
  /** Per number block (all but the last 4 digits): sequential numbers are the mark of SMS pumping. */
  sendsPerPhoneBlockPerHour: number
  /** 0: not counted (carrier-grade NAT puts thousands of mobile users behind one address). */
  sendsPerIpPerHour: number
  /** Email OTPs to one address (normalised, see recipient.ts): mail-bombing one inbox. */
  sendsPerEmailPerHour: number
  sendsPerEmailPerDay: number
  /** Every send of the merchant, whoever asked: the SMS bill's hard stop. */
  sendsPerMerchantPerDay: number
}

export interface OtpSender {
  principal: Principal
  /** The client's address as Fastify resolved it (`request.ip`, behind TRUST_PROXY). */
  ip: string
  channel: OtpChannel
  /** The keyed HMACs of the person the code goes to (its registration), when the gateway knows it. */
  recipient: RecipientKeys | null
}

/** A registration's lookup hashes: where an SMS or an email OTP lands. Null on rows older than them. */
export interface RecipientKeys {
  phoneLookup: string | null
  phonePrefixLookup: string | null
  emailLookup: string | null
}

/** Shares of the daily OTP budget that are logged as a warning when crossed. */
const BUDGET_ALERTS = [0.5, 0.8]

const HOUR = 3600
const DAY = 24 * HOUR

/**
 * The rules against SMS pumping and OTP flooding. Every send (a new OTP or a resend) is counted
 * before Privy is called, per user, per phone (hour and day), per block of sequential numbers, per
 * email address (hour and day) and, when configured, per client address over sliding windows, and
 * against the merchant's budget per UTC day. Operators act
 * for many users: they are not counted per user, but the phone's limits hold for them too. A check
 * of a code is counted per transaction, so concurrent guesses cannot outrun the attempts Privy allows.
 */
export function createOtpLimits(
  limits: LimitsService,
  settings: OtpSendLimits,
  logger?: Pick<FastifyBaseLogger, 'warn'>,
) {
  const rules = {
    user: rule(
      'otp_sends_per_user_per_hour',
      settings.sendsPerUserPerHour,
      HOUR,
      'OTP sends per user per hour',
    ),
    phoneHour: rule(
      'otp_sends_per_phone_per_hour',
      settings.sendsPerPhonePerHour,
      HOUR,
      'OTP sends per phone number per hour',
    ),
    phoneDay: rule(
      'otp_sends_per_phone_per_day',
      settings.sendsPerPhonePerDay,
      DAY,
      'OTP sends per phone number per day',
    ),
    phoneBlock: rule(
      'otp_sends_per_phone_block_per_hour',
      settings.sendsPerPhoneBlockPerHour,
      HOUR,
      'OTP sends per block of 10,000 phone numbers per hour',
    ),
    emailHour: rule(
      'otp_sends_per_email_per_hour',
      settings.sendsPerEmailPerHour,
      HOUR,
      'OTP emails per address per hour',
    ),
    emailDay: rule(
      'otp_sends_per_email_per_day',
      settings.sendsPerEmailPerDay,
      DAY,
      'OTP emails per address per day',
    ),
    ip: rule(
      'otp_sends_per_ip_per_hour',
      settings.sendsPerIpPerHour,
      HOUR,
      'OTP sends per client address per hour',
    ),
    merchant: {
      ...rule(
        'otp_sends_per_merchant_per_day',
        settings.sendsPerMerchantPerDay,
        DAY,
        'OTP sends per day for this merchant (00:00 UTC to 00:00 UTC)',
      ),
      code: 'OTP_BUDGET_EXHAUSTED',
      // A budget per calendar day (UTC), as spend is accounted.
      window: 'fixed',
    },
  } satisfies Record<string, LimitRule>
  const merchantCharge: Charge = { rule: rules.merchant, subject: 'merchant' }

  return {
    rules,

    /** OTP sends counted today (UTC) against the merchant's daily budget: for the metrics. */
    spentToday: () => limits.count(merchantCharge),

    /**
     * Counts one send; a 429 when any limit is reached (then nothing is counted). Given `db`, the
     * transaction that records the send, the count stands or falls with it.
     */
    async takeSend(sender: OtpSender, db?: LimitsDb): Promise<Taken> {
      const charges: Charge[] = [merchantCharge]
      if (settings.sendsPerIpPerHour > 0) {
        charges.push({ rule: rules.ip, subject: clientAddressKey(sender.ip) })
      }
      if (sender.principal.kind === 'user') {
        charges.push({ rule: rules.user, subject: ownerIdFor(sender.principal) })
      }
      // The recipient's limits protect its owner, whoever asks (an operator too), on the channel the
      // code takes: an SMS rings the phone, an email fills the inbox.
      const { phoneLookup, phonePrefixLookup, emailLookup } = sender.recipient ?? {}
      if (sender.channel === 'sms' && phoneLookup) {
        charges.push(
          { rule: rules.phoneHour, subject: phoneLookup },
          { rule: rules.phoneDay, subject: phoneLookup },
        )
      }
      if (sender.channel === 'sms' && phonePrefixLookup) {
        charges.push({ rule: rules.phoneBlock, subject: phonePrefixLookup })
      }
      if (sender.channel === 'email' && emailLookup) {
        charges.push(
          { rule: rules.emailHour, subject: emailLookup },
          { rule: rules.emailDay, subject: emailLookup },
        )
      }
      const taken = await limits.take(charges, db)
      const spent = taken.counts[0] ?? 0
      // Counts are exact across instances: exactly one send crosses each mark, so one warning each.
      const share = BUDGET_ALERTS.find(
        (alert) => spent === Math.ceil(settings.sendsPerMerchantPerDay * alert),
      )
      if (share !== undefined) {
        logger?.warn(
          { spent, budget: settings.sendsPerMerchantPerDay, limit: rules.merchant.name },
          `${share * 100}% of today's OTP budget is spent`,
        )
      }
      return taken
    },

    /**
     * Counts one check of a code on one transaction: at most `maxAttempts` may be in flight or spent,
     * however many instances and concurrent requests there are.
     */
    async takeCheck(otp: { id: string; createdAt: Date }, maxAttempts: number): Promise<Taken> {
      return limits.take([
        {
          rule: {
            name: 'otp_checks_per_transaction',
            max: maxAttempts,
            windowSeconds: DAY,
            code: 'OTP_RATE_LIMITED',
            window: 'fixed',
            description: `${maxAttempts} checks of a code per OTP transaction, counting checks still in flight`,
            retryAfterSeconds: 2,
          },
          subject: otp.id,
          anchor: otp.createdAt,
        },
      ])
    },
  }
}

export type OtpLimits = ReturnType<typeof createOtpLimits>

function rule(name: string, max: number, windowSeconds: number, description: string): LimitRule {
  return {
    name,
    max,
    windowSeconds,
    code: 'OTP_RATE_LIMITED',
    window: 'sliding',
    description: `${max} ${description}`,
  }
}
