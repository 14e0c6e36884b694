# The Discord bot, small and non-root: `docker build -t article-bot .` then
# `docker run --rm -e DISCORD_TOKEN -e BOT_CHANNELS article-bot`.

# Build a wheel of the bot (the data in intents/ ships inside it).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY intents ./intents
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# Runtime: the wheel and its runtime dependencies only; no compilers, no test tools.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BOT_STATE_DIR=/home/bot/state
RUN groupadd --gid 10001 bot \
    && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin bot
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER 10001:10001
WORKDIR /home/bot
CMD ["python", "-m", "bot", "run"]
