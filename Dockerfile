# syntax=docker/dockerfile:1
# Multi-stage build on Node 20 slim, the Node major the tests run on (test/core/container.test.ts
# keeps them equal). better-sqlite3 compiles in the build stage; the runtime image carries no
# compiler.

FROM node:20-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Install without running any install script, then build exactly the packages that need it
# (npm documents this use of --ignore-scripts + `npm rebuild`): better-sqlite3 compiles from
# source with its own build-release script instead of downloading a prebuilt binary.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild esbuild ssh2 \
 && npm run build-release --prefix node_modules/better-sqlite3
COPY tsconfig.json ./
COPY src ./src
COPY data/config.example.yaml ./data/config.example.yaml
COPY scripts/build.mjs scripts/code-cache-loader.cjs scripts/train-code-cache.mjs scripts/prune-runtime.mjs ./scripts/
# One plain-JavaScript bundle (esbuild, scripts/build.mjs) holding our code and the npm packages
# it imports: no TypeScript loader and no module resolution at run time, so the bot starts faster
# (node_modules still serves the native and lazily required packages the bundle leaves outside);
# then drop the dev dependencies from the runtime copy, and what never runs (type declarations,
# maps, SQLite sources and build intermediates: the same prune `npm run bench` measures as the
# production install size).
# The build also writes V8's code cache of the bundle and of each chunk beside it
# (dist/*.js.v8cache, compiled by this stage's node:20-slim, the runtime's Node): start-up
# deserialises them instead of compiling (scripts/code-cache-loader.cjs, which is dist/main.js).
# It trains them on one real start-up of the bot here (scripts/train-code-cache.mjs: a throwaway
# database in /tmp and a minimal Bot API on 127.0.0.1, no network), so they also hold the
# functions start-up runs.
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && node scripts/prune-runtime.mjs node_modules && rm -rf src scripts

FROM node:20-slim
ENV NODE_ENV=production
# glibc keeps the memory freed after start-up's parse and compile (V8 compiles on worker threads,
# each with its own malloc arena) as resident: 2 arenas and a 128 KiB trim threshold hand it back
# (bench memory, idle RSS after GC: Telegram 83.7 -> 70.5 MB, Telegram + Discord 110 -> 87.3 MB).
# V8's compiler zones grow in 32 KiB segments: from the brk heap they leave holes that never go
# back (4-17 MB with Discord, varying run to run); mapped on their own they are unmapped when freed
# (Telegram + Discord 82.4 -> 76.2 MB, Telegram 60.9 -> 60.8 MB; ~1 mmap/munmap pair per command).
ENV MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072 MALLOC_MMAP_THRESHOLD_=32768
WORKDIR /app
# Runs as the base image's `node` user (uid/gid 1000, usually the host user who owns ./data and
# ./secrets). Another owner: `user: "1001:1001"` in docker-compose.yml, and that uid must be able
# to write ./data (`sudo chown -R 1001:1001 data`). The app files stay readable by everyone.
RUN mkdir -p /app/data && chown node:node /app/data
COPY --from=build /app /app
USER node
VOLUME ["/app/data"]
EXPOSE 8080
# The check asks the bot itself: it reads the same config and calls /healthz on health.port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "dist/main.js", "--healthcheck", "--config", "/app/data/config.yaml"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js", "--config", "/app/data/config.yaml"]
