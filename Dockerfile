# The Discord bot, small and non-root: `docker build -t article-bot .`, then
# `docker run --rm -e DISCORD_TOKEN -e BOT_CHANNELS -v article-bot-state:/home/bot/state article-bot`.
#
# Base: python:3.11-slim-bookworm (Python 3.11.16), pinned by the digest of its multi-platform index as
# docker-library/repo-info records it. To move on: `docker buildx imagetools inspect python:3.11-slim-bookworm`
# prints the current digest; put it in both FROM lines.

# Build every wheel, the bot's and each dependency's, at the versions and hashes in uv.lock.
FROM python:3.11-slim-bookworm@sha256:0bee7276f83efd4a1ee05bbbf4281d95ed28e079220a9457f25a93e3f1e3c31b AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PYTHON_DOWNLOADS=never
WORKDIR /src
RUN pip install --no-cache-dir "uv==0.13.9"
COPY pyproject.toml uv.lock README.md LICENSE ./
COPY bot ./bot
COPY intents ./intents
RUN uv export --frozen --no-dev --no-emit-project --format requirements-txt --output-file requirements.txt \
    && pip wheel --no-cache-dir --require-hashes --no-deps --wheel-dir /wheels -r requirements.txt \
    && uv build --wheel --out-dir /wheels .

# Runtime: those wheels only, installed offline; no compilers, no uv, no test tools.
FROM python:3.11-slim-bookworm@sha256:0bee7276f83efd4a1ee05bbbf4281d95ed28e079220a9457f25a93e3f1e3c31b
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BOT_STATE_DIR=/home/bot/state \
    NO_COLOR=1
# The state dir is made and given to the bot before USER: a new named volume mounted on it takes its
# owner, so the bot can keep the command hash there (and restarts don't re-sync).
RUN groupadd --gid 10001 bot \
    && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin bot \
    && install -d -o 10001 -g 10001 -m 0750 /home/bot/state
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels /wheels/*.whl && rm -rf /wheels
USER 10001:10001
WORKDIR /home/bot
VOLUME ["/home/bot/state"]
# The bot has no port: `health` passes while the heartbeat file that `run` touches every 30 s,
# while its gateway is alive, is less than 90 s old.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["python", "-m", "bot", "health"]
CMD ["python", "-m", "bot", "run"]
