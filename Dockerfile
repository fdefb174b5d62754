# syntax=docker/dockerfile:1
# The coordinator image: one image, two processes (`receiver`, `worker`) and the one-shot `setup`.
#   docker build -t issue-coordinator .
#   docker run --init --env-file .env issue-coordinator worker
ARG NODE_VERSION=20-bookworm-slim

# --- build: compile TypeScript and prebuild the workflow bundle (dist/workflow-bundle.js) ---
FROM node:${NODE_VERSION} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm install`, not `npm ci`: see the README (lockfiles made on some mirrors lack other platforms' optional
# binaries, which `npm ci` refuses); it still installs the locked versions.
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# --- runtime: production dependencies, compiled code, bundle; no compiler, no bundler at start ---
FROM node:${NODE_VERSION} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# Keep only this architecture's Temporal core binary (the package ships every platform's).
RUN npm install --omit=dev --no-audit --no-fund \
  && find node_modules/@temporalio/core-bridge/releases -mindepth 1 -maxdepth 1 \
       ! -name "$(uname -m)-unknown-linux-gnu" -exec rm -rf {} + \
  && npm cache clean --force \
  && mkdir -p .data/workspaces && chown -R node:node .data
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY docker/entrypoint.sh /usr/local/bin/coordinator-entrypoint
USER node
# Receiver (GET /health, POST /webhook/gitea) and the worker's Prometheus /metrics.
EXPOSE 8000 9464
# Healthy when this container's own endpoint answers: the receiver's /health or the worker's /metrics.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["node", "dist/healthcheck.js"]
ENTRYPOINT ["coordinator-entrypoint"]
CMD ["worker"]
