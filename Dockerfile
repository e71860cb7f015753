# The hubops operator image. A build stage bundles src/ and the production dependencies it imports
# into dist/main.js, and the command line into dist/hubops.mjs (esbuild, a dev dependency;
# hack/build.ts); the runtime stage holds dist/ and package.json on distroless Node 24 (no shell,
# no npm, no node_modules) and the command line as /usr/local/bin/hubops, run as the non-root UID
# 65532 that charts/hubops sets. The command is `npm run start:built`'s: the bundle, a small young
# generation, V8 favouring memory over speed (docs/decisions 0003, 0005, 0007).
# test/charts/dockerfile.test.ts checks these promises.
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY hack/build.ts ./hack/
COPY src ./src
RUN npm run build

FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
# Node keeps the compiled bundle here; the chart mounts an emptyDir at /tmp, which outlives a
# container restart, so a restarted operator skips compiling the bundle.
ENV NODE_COMPILE_CACHE=/tmp/node-compile-cache
# glibc's allocator: two arenas instead of one per thread, and blocks of 64 KiB or more (socket
# reads, compiler scratch) mapped and unmapped on their own rather than kept in the arenas after
# use: 5-11 MB less resident memory after a cold sync (docs/decisions/0006).
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=65536
# package.json says the bundle is an ES module; it needs nothing else.
COPY package.json ./
COPY --from=build /app/dist ./dist
# `kubectl exec deploy/hubops -- hubops plan -f -`: an ES module that names /nodejs/bin/node in
# its first line, on the PATH.
COPY --from=build --chmod=755 /app/dist/hubops.mjs /usr/local/bin/hubops
USER 65532:65532
EXPOSE 8080 8081
# V8 without its optimizing compilers (JavaScript stays in the baseline tier, undici's WebAssembly
# parser in Liftoff) and with one worker thread: 13-19 MB less resident memory after a cold sync
# of 1,000 users, for about 15% more CPU there and more at 10,000 (docs/decisions/0008).
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=2", "--optimize-for-size", "--heap-growing-percent=50", "--max-opt=1", "--liftoff-only", "--v8-pool-size=1"]
CMD ["dist/main.js"]
