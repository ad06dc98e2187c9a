# syntax=docker/dockerfile:1
# One image for every process of the fleet: `scheduler <command>` (worker,
# dashboard, nightly, run, seed, migrate, …), started as `pnpm scheduler`
# starts it on a developer's machine: from a bundle of the workspace's
# TypeScript (apps/cli/bin/scheduler.mjs), built here once.

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles its native addon when no prebuilt one fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
RUN npm install -g pnpm@10.34.8
WORKDIR /app
# The manifests first: the dependency layer is rebuilt only when they change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY apps/cli/package.json apps/cli/
COPY apps/dashboard/package.json apps/dashboard/
COPY bench/package.json bench/
COPY packages/config/package.json packages/config/
COPY packages/core/package.json packages/core/
COPY packages/db/package.json packages/db/
COPY packages/pipeline/package.json packages/pipeline/
COPY packages/queue/package.json packages/queue/
COPY packages/zip-states/package.json packages/zip-states/
RUN pnpm install --frozen-lockfile
COPY . .
RUN node apps/cli/bin/scheduler.mjs --help > /dev/null

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
# Organization databases live on a volume mounted here (SCHEDULER_ORGS_DIR);
# the compute threads' bundle is written inside the pipeline package.
RUN mkdir -p /data/organizations /app/packages/pipeline/.threads \
 && chown node:node /data/organizations /app/packages/pipeline/.threads
USER node
ENV SCHEDULER_ORGS_DIR=/data/organizations
ENTRYPOINT ["node", "apps/cli/bin/scheduler.mjs"]
CMD ["--help"]
