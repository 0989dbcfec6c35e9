// vitest runs outside React Server Components; the real package throws there on purpose.
export {};
