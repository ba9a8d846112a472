# berth agent as a container, run like the official agent:
#   docker run -d --name berth-agent --net host --restart on-failure \
#     -v /var/run/docker.sock:/var/run/docker.sock -v /var/lib/ecs/data:/data \
#     --env-file /etc/ecs/ecs.config berth
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production ECS_DATADIR=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
VOLUME ["/data"]
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["agent"]
