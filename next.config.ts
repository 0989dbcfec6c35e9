import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // PGlite ships WASM and data files that must be loaded from node_modules at run time, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "@node-rs/argon2"],
  poweredByHeader: false,
  typedRoutes: false,
  // `npm test` runs tsc --noEmit over the whole tree as its own stage; doing it again inside the build
  // costs a minute on a 2-core machine and checks less (only what the app imports).
  typescript: { ignoreBuildErrors: true },
  // forbidden()/unauthorized() and AccessError's digest render a real 401/403 page (lib/dal/session.ts).
  experimental: { authInterrupts: true },
  // Baseline headers on every response, static files included. Pages and APIs also get the full CSP with
  // a per-request nonce from proxy.ts; two policies are both enforced, and this one forbids nothing the
  // nonce policy allows.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Content-Security-Policy", value: "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default nextConfig;
