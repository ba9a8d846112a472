# The berth agent image, run like the official agent container:
#
#   docker run -d --name berth-agent --restart on-failure --net host \
#     --group-add "$(stat -c %g /var/run/docker.sock)" \
#     -v /var/run/docker.sock:/var/run/docker.sock \
#     -v /var/lib/ecs/data:/data -v /etc/ecs:/etc/ecs:ro \
#     --env-file /etc/ecs/ecs.config berth/agent:local
#
# It runs as uid 10001, not root: the Docker socket is reached through its group (--group-add) and the data dir
# must belong to 10001 (install -d -o 10001 -g 10001 -m 0700 /var/lib/ecs/data). Or run it with --user 0 as the
# official agent runs, which ECS Anywhere hosts need to read the root-only SSM credentials
# (-v /root/.aws:/rotatingcreds:ro). Logs go to stderr (docker logs); --pretty makes them human-readable.
#
# Build it with scripts/build-image: no registry and no network. The base is a build argument; the script makes one
# with `docker import` from this machine's node binary and the libraries it links. Any image with node >= 20 at
# /usr/bin/node or on PATH works (for example node:20-bookworm-slim). The build context is prepared by the script:
# package.json, dist/ (compiled on the host) and the production node_modules (native better-sqlite3 included), so
# nothing is downloaded or compiled inside.
ARG BASE_IMAGE=berth/node-base:local

# Stage 1: the dependencies, minus what a production agent never loads, plus the directory layout; the final
# image copies the result, so the removed files never land in one of its layers.
FROM ${BASE_IMAGE} AS deps
WORKDIR /app
COPY package.json ./
COPY node_modules ./node_modules
COPY image-prune.mjs /tmp/image-prune.mjs
RUN ["node", "-e", "import('/tmp/image-prune.mjs').then(() => { for (const d of ['/out/data', '/out/etc/ecs']) require('node:fs').mkdirSync(d, { recursive: true }) })", "/app/node_modules"]

# Stage 2: the runtime image. Everything that rarely changes comes first, the compiled agent last, so a rebuild
# after a code change is one small layer.
FROM ${BASE_IMAGE}
COPY --from=deps /out/etc/ecs /etc/ecs
COPY --from=deps --chown=10001:10001 /out/data /data
COPY --from=deps /app /app
# ecs-init's defaults for the agent container (spec §1.2): state in /data, config in /etc/ecs.
ENV NODE_ENV=production ECS_DATADIR=/data BERTH_CONFIG_FILE=/etc/ecs/ecs.config
USER 10001
VOLUME ["/data"]
# The official image's health check: -healthcheck asks /v1/metadata (berth also asks its health file).
HEALTHCHECK --interval=30s --timeout=10s --start-period=2m CMD ["node", "/app/dist/cli.js", "agent", "--healthcheck"]
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["agent"]
COPY dist /app/dist
