# syntax=docker/dockerfile:1
# One image for both processes (`api` and `worker` differ only in the command). Node 24 runs the
# TypeScript sources directly (type stripping), so there is no build step to drift from the tests.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/shared/package.json packages/shared/
COPY packages/devstack/package.json packages/devstack/
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
# Production dependencies of the three production workspaces only; no install scripts are needed
# (native modules come prebuilt through optional dependencies).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
      --workspace=@storefront/shared --workspace=@storefront/api --workspace=@storefront/worker

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY packages/shared packages/shared
COPY apps/api apps/api
COPY apps/worker apps/worker
USER node
EXPOSE 3000 3001
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "apps/api/src/main.ts"]
