# The hubops operator image: `npm ci --omit=dev` in a Node 24 build stage, then src/, package.json
# and the production node_modules on distroless Node 24 (no shell, no npm), run as the non-root
# UID 65532 that charts/hubops sets. The command is `npm start`'s: node src/main.ts (Node 24 runs
# the TypeScript natively) with a small young generation (docs/decisions/0003-small-young-generation.md).
# test/charts/dockerfile.test.ts checks these promises.
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=2"]
CMD ["src/main.ts"]
