# syntax=docker/dockerfile:1
# The Sluice operator image. Build from the repository root:
#   docker build -f docker/operator.Dockerfile -t ghcr.io/sluice-dev/sluice-operator:0.1.0 .
#
# Like the runtime image it runs TypeScript sources through tsx, so that the chart's command line,
# `node --import tsx operator/main.ts` in the working directory, is the same in the image and in the
# sandbox (whose kubelet ignores images and runs the repository). The build stage type-checks.
# runtime/ is included because the operator shares the JobManager REST API's types with it.

# Node.js 24, the active LTS (Node 20 reached its end of life on 2026-04-30); the code runs on 20.19+ and 22 as well.
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /opt/sluice
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY operator/ operator/
COPY runtime/ runtime/
RUN npx tsc --noEmit -p tsconfig.json \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 sluice \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin sluice
ENV NODE_ENV=production
WORKDIR /opt/sluice
# Read-only at run time; the chart mounts an emptyDir at /tmp for tsx's cache.
COPY --from=build /opt/sluice/node_modules/ node_modules/
COPY package.json ./
COPY operator/ operator/
COPY runtime/ runtime/
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["tini", "--", "node", "--import", "tsx", "/opt/sluice/operator/main.ts"]
