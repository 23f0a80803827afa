import { describe, expect, it } from 'vitest'
import { guardedLookup, refusedAddress, refusedUrl } from '../../src/modules/webhooks/webhooks.url-policy.js'

const production = { allowHttp: false }
const development = { allowHttp: true }

describe('webhook URL policy', () => {
  it('accepts public https URLs', () => {
    for (const url of [
      'https://merchant.example.co.id/hooks/privy',
      'https://merchant.example.co.id:8443/hooks?token=abc',
      'https://93.184.216.34/hook',
      'https://[2606:2800:220:1:248:1893:25c8:1946]/hook',
    ]) {
      expect(refusedUrl(url, production), url).toBeNull()
    }
  })

  it('refuses http, other schemes, credentials and over-long URLs in production', () => {
    expect(refusedUrl('http://merchant.example.co.id/hook', production)).toBe('must be an https URL')
    expect(refusedUrl('file:///etc/passwd', production)).toBe('must be an https URL')
    expect(refusedUrl('gopher://merchant.example.co.id/', production)).toBe('must be an https URL')
    expect(refusedUrl('javascript:alert(1)', production)).toBe('must be an https URL')
    expect(refusedUrl('https://user:pass@merchant.example.co.id/', production)).toMatch(/credentials/)
    expect(refusedUrl('https://user@merchant.example.co.id/', production)).toMatch(/credentials/)
    expect(refusedUrl(`https://merchant.example.co.id/${'a'.repeat(10_000)}`, production)).toMatch(/at most/)
    expect(refusedUrl('not a url', production)).toBe('must be an absolute URL')
  })

  it('refuses loopback, private, link-local and metadata hosts in every spelling', () => {
    for (const url of [
      'https://127.0.0.1/',
      'https://127.1.2.3/',
      'https://2130706433/',
      'https://0x7f.1/',
      'https://localhost/',
      'https://LOCALHOST./',
      'https://api.localhost/',
      'https://[::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::ffff:7f00:1]/',
      // IPv4 embedded in IPv6: compatible, SIIT, 6to4, NAT64 (well-known and local-use)
      'https://[::7f00:1]/',
      'https://[::ffff:0:7f00:1]/',
      'https://[2002:7f00:1::]/',
      'https://[64:ff9b::7f00:1]/',
      'https://[64:ff9b:1::7f00:1]/',
      'https://10.0.0.5/',
      'https://172.16.0.1/',
      'https://192.168.1.1/',
      'https://100.64.0.1/',
      'https://[fd00::1]/',
      'https://169.254.169.254/latest/meta-data/',
      'https://[fe80::1]/',
      'https://0.0.0.0/',
      'https://0/',
      'https://[::]/',
      'https://224.0.0.1/',
      'https://255.255.255.255/',
    ]) {
      expect(refusedUrl(url, production), url).toMatch(/address/)
    }
  })

  it('allows http and private hosts in development, but never link-local, unspecified or multicast', () => {
    expect(refusedUrl('http://127.0.0.1:3000/hook', development)).toBeNull()
    expect(refusedUrl('http://localhost:3000/hook', development)).toBeNull()
    expect(refusedUrl('http://192.168.1.10/hook', development)).toBeNull()
    expect(refusedUrl('http://169.254.169.254/', development)).toMatch(/link-local/)
    expect(refusedUrl('http://[fe80::1]/', development)).toMatch(/link-local/)
    expect(refusedUrl('http://0.0.0.0:3000/', development)).toMatch(/unspecified/)
    expect(refusedUrl('file:///etc/passwd', development)).toBe('must be an http or https URL')
    expect(refusedUrl('https://user:pass@x', development)).toMatch(/credentials/)
  })

  it('checks resolved addresses too (DNS rebinding)', async () => {
    expect(refusedAddress('8.8.8.8', production)).toBeNull()
    expect(refusedAddress('10.1.2.3', production)).toMatch(/private/)
    const lookup = guardedLookup(production)
    const resolve = (all: boolean) =>
      new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
        lookup('localhost', { all }, (error, address) => resolve({ error, address })),
      )
    for (const all of [false, true]) {
      const { error } = await resolve(all)
      expect(error?.code).toBe('EWEBHOOKADDRESS')
    }
    const allowed = await new Promise<{ error: unknown; address: unknown }>((resolve) =>
      guardedLookup(development)('localhost', {}, (error, address) => resolve({ error, address })),
    )
    expect(allowed.error).toBeNull()
    expect(typeof allowed.address).toBe('string')
  })
})
