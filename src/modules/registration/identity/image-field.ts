/** The two photo fields of a `privy_ra` / `merchant_ra` registration, named as the merchant sends them. */
export type ImageField = 'ktp' | 'selfie'
