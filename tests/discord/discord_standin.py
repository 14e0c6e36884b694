"""A loopback stand-in for Discord's REST API and gateway, in aiohttp, for end-to-end tests.

The bot's real code (discord.py 2.x included) runs against it over 127.0.0.1:

- REST under /api/v10: log-in (users/@me, oauth2/applications/@me), gateway/bot
  (for AutoShardedBot), command sync and the GET of the synced commands, channel
  messages, interaction callbacks, webhook follow-ups and edits of them, as JSON or
  as multipart with files (payload_json and files[n], as Discord takes uploads).
  Every call is recorded with its arrival time.
- The gateway at /gateway: HELLO, heartbeat ACKs, IDENTIFY -> READY + GUILD_CREATE,
  RESUME -> RESUMED, plain-text frames only (discord.py always accepts them).

Tests drive it: send MESSAGE_CREATE and INTERACTION_CREATE events (well-formed or
not, or any frame at all), send op 7, close with a code or drop the socket, make
REST calls fail (`fail("message", 503)`: 403, 404 with a JSON code, 429 with
retry_after, 5xx), delete the synced commands as if on Discord's side, and wait
for the requests the bot makes in return.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import mimetypes
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, hdrs, web

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.stand-in.secret-token-for-tests"
APP_ID = 123456789012345678  # what the token's first part encodes
BOT_ID = APP_ID
GUILD_ID = 500000000000000001
LISTED_CHANNEL = 600000000000000001
QUIET_CHANNEL = 600000000000000002
NO_EMBED_CHANNEL = 600000000000000003
NO_FILES_CHANNEL = 600000000000000004
MUTED_CHANNEL = 600000000000000005  # the bot may read but not send there
NO_HISTORY_CHANNEL = 600000000000000006  # no Read Message History: answers cannot be replies
UNCACHED_GUILD = 500000000000000009  # a guild the bot never got a GUILD_CREATE for
UNCACHED_CHANNEL = 600000000000000009
DM_CHANNEL = 700000000000000001
BOT_ROLE = 800000000000000001
EPHEMERAL = 1 << 6
MESSAGE_CONTENT_INTENT = 1 << 15
EMBED_LINKS = 1 << 14
SEND_MESSAGES = 1 << 11
READ_MESSAGE_HISTORY = 1 << 16
ATTACH_FILES = 1 << 15
MANAGE_GUILD = 1 << 5
# View Channel, Send Messages, Send Messages in Threads, Embed Links, Attach Files, Read Message History, Use App Commands.
EVERYONE_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 38) | EMBED_LINKS | ATTACH_FILES | (1 << 16) | (1 << 31)
# What Discord grants an app in a DM, whatever the server says.
DM_APP_PERMISSIONS = EMBED_LINKS | ATTACH_FILES | (1 << 17)
NOW = "2024-01-01T00:00:00.000000+00:00"


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    """A user object."""
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name.title(),
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


BOT_USER = user(BOT_ID, "answerbot", bot=True)
ALICE = user(100000000000000001, "alice")
BOB = user(100000000000000002, "bob")
CAROL = user(100000000000000003, "carol")
OTHER_BOT = user(100000000000000009, "otherbot", bot=True)


def member(of: dict[str, Any], roles: Iterable[int] = (), permissions: int = EVERYONE_PERMISSIONS) -> dict[str, Any]:
    """A guild member object for a user; `permissions` are theirs in the channel (sent with interactions)."""
    return {
        "user": of,
        "roles": [str(r) for r in roles],
        "joined_at": NOW,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "permissions": str(permissions),
    }


def text_channel(channel_id: int, name: str, position: int, *, deny: int = 0) -> dict[str, Any]:
    """A guild text channel; deny removes permissions from @everyone there."""
    overwrites = [{"id": str(GUILD_ID), "type": 0, "allow": "0", "deny": str(deny)}] if deny else []
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(GUILD_ID),
        "name": name,
        "position": position,
        "permission_overwrites": overwrites,
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
    }


CHANNELS = [
    text_channel(LISTED_CHANNEL, "ask-the-bot", 0),
    text_channel(QUIET_CHANNEL, "general", 1),
    text_channel(NO_EMBED_CHANNEL, "no-embeds", 2, deny=EMBED_LINKS),
    text_channel(NO_FILES_CHANNEL, "no-files", 3, deny=ATTACH_FILES),
    text_channel(MUTED_CHANNEL, "read-only", 4, deny=SEND_MESSAGES),
    text_channel(NO_HISTORY_CHANNEL, "no-history", 5, deny=READ_MESSAGE_HISTORY),
]
# Discord's answer to a command sync it refuses: the body names the field.
INVALID_FORM_BODY = {
    "code": 50035,
    "message": "Invalid Form Body",
    "errors": {
        "0": {"description": {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH", "message": "Must be between 1 and 100 in length."}]}}
    },
}
UNKNOWN_INTERACTION = {"message": "Unknown interaction", "code": 10062}
MISSING_PERMISSIONS = {"message": "Missing Permissions", "code": 50013}


def guild_create() -> dict[str, Any]:
    """GUILD_CREATE for the test guild: three channels, @everyone, the bot's role and member."""
    role_base = {"color": 0, "hoist": False, "mentionable": False, "flags": 0, "icon": None, "unicode_emoji": None}
    return {
        "id": str(GUILD_ID),
        "name": "Stand-in Guild",
        "icon": None,
        "owner_id": ALICE["id"],
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "features": [],
        "roles": [
            {
                **role_base,
                "id": str(GUILD_ID),
                "name": "@everyone",
                "position": 0,
                "permissions": str(EVERYONE_PERMISSIONS),
                "managed": False,
            },
            {
                **role_base,
                "id": str(BOT_ROLE),
                "name": "answerbot",
                "position": 1,
                "permissions": "0",
                "managed": True,
                "tags": {"bot_id": str(BOT_ID)},
            },
        ],
        "emojis": [],
        "stickers": [],
        "channels": CHANNELS,
        "threads": [],
        "members": [member(BOT_USER, [BOT_ROLE])],
        "member_count": 4,
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "large": False,
        "unavailable": False,
        "joined_at": NOW,
    }


def app_permissions(channel_id: int) -> int:
    """The bot's permissions in a channel, as Discord puts them in an interaction: @everyone's less the channel's denials."""
    if channel_id == DM_CHANNEL:
        return DM_APP_PERMISSIONS
    channel = next(c for c in CHANNELS if int(c["id"]) == channel_id)
    denied = sum(int(o["deny"]) for o in channel["permission_overwrites"])
    return EVERYONE_PERMISSIONS & ~denied


@dataclass(frozen=True, slots=True)
class Upload:
    """A file the bot uploaded with a message: the form field, its name, type and bytes."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass(slots=True)
class Request:
    """One REST call the bot made."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    authorization: str | None
    at: float
    created: dict[str, Any] | None = None
    files: list[Upload] = field(default_factory=list)

    @property
    def created_id(self) -> int:
        """The id of the message this request created."""
        assert self.created is not None, "this request created no message"
        return int(self.created["id"])

    @property
    def kind(self) -> str:
        """message | callback | followup | edit | sync | fetch-commands | other."""
        if self.method == "POST" and self.path.startswith("/channels/") and self.path.endswith("/messages"):
            return "message"
        if self.method == "PATCH" and self.path.startswith("/webhooks/") and "/messages/" in self.path:
            return "edit"
        if self.path.startswith("/interactions/"):
            return "callback"
        if self.path.startswith("/webhooks/"):
            return "followup"
        if self.method == "PUT" and self.path.endswith("/commands"):
            return "sync"
        if self.method == "GET" and self.path.endswith("/commands"):
            return "fetch-commands"
        return "other"

    @property
    def channel_id(self) -> int | None:
        """The channel of a channel message."""
        parts = self.path.split("/")
        return int(parts[2]) if self.kind == "message" else None

    @property
    def message(self) -> dict[str, Any]:
        """The message part of a send: the body, or a callback's `data`."""
        if self.kind == "callback":
            data: dict[str, Any] = self.body.get("data") or {}
            return data
        return dict(self.body or {})

    @property
    def embeds(self) -> list[dict[str, Any]]:
        """The embeds the bot sent."""
        return list(self.message.get("embeds") or [])

    @property
    def ephemeral(self) -> bool:
        """Whether the message is only for the user who triggered it."""
        return bool(int(self.message.get("flags") or 0) & EPHEMERAL)

    @property
    def text(self) -> str:
        """Content plus every embed's text, for simple assertions."""
        parts = [self.message.get("content") or ""]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
            parts.append(embed.get("footer", {}).get("text", ""))
        return "\n".join(p for p in parts if p)

    @property
    def attachments(self) -> list[dict[str, Any]]:
        """The attachments the message declares (id, filename, description), one per uploaded file."""
        return list(self.message.get("attachments") or [])

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Every button, row by row."""
        rows = self.message.get("components") or []
        return [c for row in rows for c in row.get("components", []) if c.get("type") == 2]

    def vote_button(self, emoji: str) -> str:
        """The custom id of the 👍 or 👎 button under this message."""
        found = [b["custom_id"] for b in self.buttons if (b.get("emoji") or {}).get("name") == emoji]
        assert found, f"no {emoji} button under this message"
        return str(found[0])


@dataclass
class Failure:
    """A scripted error answer for the next `times` requests of a kind."""

    kind: str
    status: int
    body: Any
    times: int
    headers: dict[str, str]


@dataclass
class FakeDiscord:
    """The stand-in server. start() it, point the bot at api_base and gateway_url, close() it."""

    refuse_message_content: bool = False
    heartbeat_interval_ms: int = 41250
    requests: list[Request] = field(default_factory=list)
    identifies: list[dict[str, Any]] = field(default_factory=list)
    resumes: list[dict[str, Any]] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    posted: dict[int, dict[str, Any]] = field(default_factory=dict)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    content_granted: bool = True
    close_on_identify: int | None = None  # a close code to answer IDENTIFY with (4004, 4011...)
    failures: list[Failure] = field(default_factory=list)
    # Members' permissions in interactions: Alice owns the guild (and the application) and has Manage Server.
    permissions: dict[str, int] = field(default_factory=lambda: {ALICE["id"]: EVERYONE_PERMISSIONS | MANAGE_GUILD})

    def __post_init__(self) -> None:
        self.port = 0
        self.seq = 0
        self.connections = 0
        self._ids = itertools.count(900000000000000001)
        self._ws: web.WebSocketResponse | None = None
        self._ws_request: web.BaseRequest | None = None
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._gateway_tasks: set[asyncio.Task[Any]] = set()
        self.session_id = "stand-in-session"
        self._token_channels: dict[str, int] = {}  # interaction token -> the channel it came from
        self._responses: dict[str, int] = {}  # interaction token -> the message its response created
        self._session_up = False

    # -- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port."""
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        """Drop the gateway and stop listening."""
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        """Where the bot's REST calls go (DISCORD_API_BASE)."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Where the bot's websocket goes (DISCORD_GATEWAY_URL)."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    def new_id(self) -> int:
        """A fresh snowflake."""
        return next(self._ids)

    # -- waiting ----------------------------------------------------------------------------

    def mark(self) -> int:
        """A cursor: wait_for(..., since=mark) only sees requests made after it."""
        return len(self.requests)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, condition: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until condition() is truthy and return its value."""

        async def check() -> Any:
            async with self._changed:
                while not (value := condition()):
                    await self._changed.wait()
                return value

        return await asyncio.wait_for(check(), timeout)

    async def wait_for(
        self,
        kind: str,
        *,
        since: int = 0,
        where: Callable[[Request], bool] = lambda r: True,
        timeout: float = 5.0,
    ) -> Request:
        """The first request of this kind after `since` that matches `where`."""

        def found() -> Request | None:
            return next((r for r in self.requests[since:] if r.kind == kind and where(r)), None)

        request: Request = await self.wait_until(found, timeout)
        return request

    def made(self, kind: str, *, since: int = 0) -> list[Request]:
        """Requests of a kind made after `since`."""
        return [r for r in self.requests[since:] if r.kind == kind]

    async def wait_ready(self, connections: int = 1, timeout: float = 5.0) -> None:
        """Wait until the gateway has sent READY (or RESUMED) on the nth connection."""
        await self.wait_until(lambda: self.connections >= connections and self._live, timeout)

    @property
    def _live(self) -> bool:
        return self._ws is not None and not self._ws.closed and self._session_up

    # -- REST -------------------------------------------------------------------------------

    @staticmethod
    def _json(data: Any, status: int = 200) -> web.Response:
        # Exactly application/json: json_response's "; charset=utf-8" makes discord.py fail to log in.
        return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body: Any = None
        files: list[Upload] = []
        if request.content_type.startswith("multipart/"):
            body, files = await self._multipart(request)
        elif request.can_read_body:
            raw = await request.read()
            body = json.loads(raw) if raw else None
        record = Request(
            request.method, path, dict(request.query), body, request.headers.get("Authorization"), time.perf_counter()
        )
        record.files = files
        self.requests.append(record)
        try:
            return self._route(record)
        finally:
            await self._notify()

    def fail(self, kind: str, status: int, body: Any = None, *, times: int = 1, headers: dict[str, str] | None = None) -> None:
        """Answer the next `times` requests of this kind with an error instead of handling them."""
        default = {"message": f"{status}: scripted failure", "code": 0}
        self.failures.append(Failure(kind, status, default if body is None else body, times, headers or {}))

    def rate_limit(self, kind: str, retry_after: float, *, times: int = 1) -> None:
        """A 429 with retry_after, as Discord sends it (the Via header tells discord.py it is no Cloudflare ban)."""
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
        headers = {"Via": "1.1 google", "Retry-After": str(retry_after), "X-RateLimit-Scope": "user"}
        self.fail(kind, 429, body, times=times, headers=headers)

    def _scripted(self, r: Request) -> web.Response | None:
        for failure in self.failures:
            if failure.kind == r.kind and failure.times > 0:
                failure.times -= 1
                data = json.dumps(failure.body).encode()
                return web.Response(
                    body=data, status=failure.status, headers={"Content-Type": "application/json", **failure.headers}
                )
        return None

    def delete_commands(self, guild: int | None = None) -> None:
        """Delete the synced commands on "Discord's side", as an admin or another tool might."""
        self.commands.pop(str(guild) if guild else "global", None)

    async def _multipart(self, request: web.Request) -> tuple[Any, list[Upload]]:
        """A multipart upload: the JSON of payload_json, and every files[n] part."""
        body: Any = None
        files: list[Upload] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            assert isinstance(part, BodyPartReader), "nested multipart is not something Discord takes"
            if part.name == "payload_json":
                body = json.loads(await part.text())
            else:
                content_type = part.headers.get(hdrs.CONTENT_TYPE, "application/octet-stream")
                files.append(Upload(part.name or "", part.filename or "", content_type, bytes(await part.read())))
        return body, files

    def _route(self, r: Request) -> web.Response:
        scripted = self._scripted(r)
        if scripted is not None:
            return scripted
        authorised = r.authorization == f"Bot {TOKEN}"
        bot_route = not r.path.startswith(("/interactions/", "/webhooks/"))
        if bot_route and not authorised:
            return self._json({"message": "401: Unauthorized", "code": 0}, 401)
        if r.method == "GET" and r.path == "/users/@me":
            return self._json(BOT_USER)
        if r.method == "GET" and r.path == "/oauth2/applications/@me":
            return self._json(
                {
                    "id": str(APP_ID),
                    "name": "answerbot",
                    "description": "Answers questions about one article",
                    "icon": None,
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "owner": ALICE,
                    "verify_key": "0" * 64,
                    "flags": 1 << 19,
                    "team": None,
                }
            )
        if r.method == "GET" and r.path == "/gateway/bot":
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
            return self._json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})
        if r.kind == "sync":
            return self._sync(r)
        if r.kind == "fetch-commands":
            parts = r.path.split("/")
            return self._json(self.commands.get(parts[4] if "guilds" in parts else "global", []))
        if r.method == "POST" and r.kind == "message":
            return self._json(self._store(r.message, channel_id=r.channel_id))
        if r.method == "POST" and r.kind == "callback":
            return self._callback(r)
        if r.method == "POST" and r.kind == "followup":
            channel = self._token_channels.get(r.path.split("/")[3], LISTED_CHANNEL)
            return self._json(self._store(r.message, channel_id=channel, flags=int(r.message.get("flags") or 0)))
        if r.kind == "edit":
            return self._edit(r)
        self.unexpected.append(f"{r.method} {r.path}")
        return self._json({"message": "404: Not Found", "code": 0}, 404)

    def _sync(self, r: Request) -> web.Response:
        parts = r.path.split("/")
        guild = parts[4] if "guilds" in parts else None
        result = []
        for command in r.body:
            result.append(
                {
                    **command,
                    "id": str(self.new_id()),
                    "application_id": str(APP_ID),
                    "version": str(self.new_id()),
                    "default_member_permissions": command.get("default_member_permissions"),
                    "type": command.get("type", 1),
                    **({"guild_id": guild} if guild else {}),
                }
            )
        self.commands[guild or "global"] = result
        return self._json(result)

    def _attachments(self, sent: dict[str, Any], files: list[Upload]) -> list[dict[str, Any]]:
        """The message's attachments as Discord returns them: each declared one, matched to its files[n] upload."""
        uploads = {f.field: f for f in files}
        stored = []
        for declared in sent.get("attachments") or []:
            upload = uploads.get(f"files[{declared['id']}]")
            assert upload is not None, f"attachment {declared} has no files[{declared['id']}] part"
            attachment_id = self.new_id()
            url = f"http://127.0.0.1:{self.port}/attachments/{attachment_id}/{upload.filename}"
            stored.append(
                {
                    "id": str(attachment_id),
                    "filename": declared.get("filename", upload.filename),
                    "description": declared.get("description"),
                    # discord.py sends every file as application/octet-stream; Discord types it by its name.
                    "content_type": mimetypes.guess_type(upload.filename)[0] or upload.content_type,
                    "size": len(upload.data),
                    "url": url,
                    "proxy_url": url,
                }
            )
        return stored

    def _store(self, sent: dict[str, Any], *, channel_id: int | None, flags: int = 0) -> dict[str, Any]:
        message_id = self.new_id()
        attachments = self._attachments(sent, self.requests[-1].files)
        urls = {f"attachment://{a['filename']}": a["url"] for a in attachments}
        embeds = [dict(e) for e in sent.get("embeds") or []]
        for embed in embeds:
            # Discord swaps an embed's attachment:// image for the uploaded file's address.
            if "image" in embed and embed["image"].get("url") in urls:
                embed["image"] = {**embed["image"], "url": urls[embed["image"]["url"]]}
        message = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "author": BOT_USER,
            "content": sent.get("content") or "",
            "timestamp": NOW,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": embeds,
            "components": sent.get("components") or [],
            "pinned": False,
            "type": 19 if sent.get("message_reference") else 0,
            "flags": flags,
        }
        self.posted[message_id] = message
        self.requests[-1].created = message
        return message

    def _edit(self, r: Request) -> web.Response:
        """PATCH of a follow-up (by id) or of an interaction's response (@original): the fields sent replace the old."""
        token, target = r.path.split("/")[3], r.path.split("/")[-1]
        message_id = self._responses.get(token) if target == "@original" else int(target)
        if message_id is None or message_id not in self.posted:
            return self._json({"message": "Unknown Message", "code": 10008}, 404)
        message = self.posted[message_id]
        for key in ("content", "embeds", "components"):
            if key in r.body:
                message[key] = r.body[key] or ([] if key != "content" else "")
        message["edited_timestamp"] = NOW
        r.created = message
        return self._json(message)

    def _callback(self, r: Request) -> web.Response:
        interaction_id = r.path.split("/")[2]
        kind = int(r.body.get("type", 0))
        data = {"interaction": {"id": interaction_id, "type": 2}}
        if kind in (4, 7):
            flags = int(r.message.get("flags") or 0)
            token = r.path.split("/")[3]
            message = self._store(r.message, channel_id=self._token_channels.get(token, LISTED_CHANNEL), flags=flags)
            self._responses[token] = int(message["id"])
            data["interaction"]["response_message_id"] = message["id"]
            data["interaction"]["response_message_ephemeral"] = bool(flags & EPHEMERAL)
            data["resource"] = {"type": kind, "message": message}
        elif kind:
            data["resource"] = {"type": kind}
        if r.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        return self._json(data)

    # -- gateway ----------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._ws, self._ws_request = ws, request
        self._session_up = False
        self.connections += 1
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}))
        async for frame in ws:
            if frame.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(frame.data)
            op = payload.get("op")
            if op == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif op == 2:
                await self._identify(ws, payload["d"])
            elif op == 6:
                self.resumes.append(payload["d"])
                await self._send(ws, "RESUMED", {})
                self._session_up = True
                await self._notify()
        if self._ws is ws:
            self._session_up = False
        await self._notify()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        self.identifies.append(data)
        if self.close_on_identify is not None:
            await ws.close(code=self.close_on_identify, message=b"Closed by the stand-in.")
            await self._notify()
            return
        intents = int(data.get("intents", 0))
        if self.refuse_message_content and intents & MESSAGE_CONTENT_INTENT:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            await self._notify()
            return
        self.content_granted = bool(intents & MESSAGE_CONTENT_INTENT)
        ready: dict[str, Any] = {
            "v": 10,
            "user": BOT_USER,
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
            "session_id": self.session_id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APP_ID), "flags": 1 << 19},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "session_type": "normal",
        }
        if data.get("shard") is not None:
            ready["shard"] = data["shard"]
        await self._send(ws, "READY", ready)
        await self._send(ws, "GUILD_CREATE", guild_create())
        self._session_up = True
        await self._notify()

    async def _send(self, ws: web.WebSocketResponse, event: str, data: Any) -> float:
        self.seq += 1
        frame = json.dumps({"op": 0, "t": event, "s": self.seq, "d": data})
        sent = time.perf_counter()
        await ws.send_str(frame)
        return sent

    async def dispatch(self, event: str, data: Any) -> float:
        """Send a DISPATCH event on the live gateway connection (data may be anything); returns when it was sent."""
        ws = self._ws
        assert ws is not None and not ws.closed, "no live gateway connection"
        return await self._send(ws, event, data)

    async def send_frame(self, text: str) -> None:
        """Send one raw text frame, JSON or not, on the live gateway connection."""
        ws = self._ws
        assert ws is not None and not ws.closed, "no live gateway connection"
        await ws.send_str(text)

    async def close_with(self, code: int) -> None:
        """Close the live gateway connection with a close code."""
        ws = self._ws
        assert ws is not None
        self._session_up = False
        await ws.close(code=code, message=b"Closed by the stand-in.")

    async def send_reconnect(self) -> None:
        """Op 7: ask the bot to reconnect (and resume)."""
        assert self._ws is not None
        self._session_up = False
        await self._ws.send_str(json.dumps({"op": 7, "d": None}))

    def drop(self) -> None:
        """Cut the gateway's TCP connection without a close frame."""
        assert self._ws_request is not None and self._ws_request.transport is not None
        self._session_up = False
        self._ws_request.transport.abort()

    # -- events -----------------------------------------------------------------------------

    async def send_message(
        self,
        content: str,
        *,
        author: dict[str, Any] = ALICE,
        channel_id: int = LISTED_CHANNEL,
        mentions: Iterable[dict[str, Any]] = (),
        mention_roles: Iterable[int] = (),
        mention_everyone: bool = False,
        webhook_id: int | None = None,
        message_type: int = 0,
        guild_id: int = GUILD_ID,
    ) -> tuple[int, float]:
        """MESSAGE_CREATE; content is emptied like Discord does without the content intent."""
        data = self.message_payload(
            content,
            author=author,
            channel_id=channel_id,
            mentions=mentions,
            mention_roles=mention_roles,
            mention_everyone=mention_everyone,
            webhook_id=webhook_id,
            message_type=message_type,
            guild_id=guild_id,
        )
        sent = await self.dispatch("MESSAGE_CREATE", data)
        return int(data["id"]), sent

    def message_payload(
        self,
        content: str,
        *,
        author: dict[str, Any] = ALICE,
        channel_id: int = LISTED_CHANNEL,
        mentions: Iterable[dict[str, Any]] = (),
        mention_roles: Iterable[int] = (),
        mention_everyone: bool = False,
        webhook_id: int | None = None,
        message_type: int = 0,
        guild_id: int = GUILD_ID,
    ) -> dict[str, Any]:
        """The MESSAGE_CREATE payload (for tests that break it before sending)."""
        in_guild = channel_id != DM_CHANNEL
        mentioned = list(mentions)
        addressed = any(u["id"] == BOT_USER["id"] for u in mentioned) or not in_guild
        message_id = self.new_id()
        data: dict[str, Any] = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "author": author,
            "content": content if self.content_granted or addressed or author["id"] == BOT_USER["id"] else "",
            "timestamp": NOW,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": mention_everyone,
            "mentions": [{**u, "member": member(u)} if in_guild else u for u in mentioned],
            "mention_roles": [str(r) for r in mention_roles],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": message_type,
            "flags": 0,
        }
        if in_guild:
            data["guild_id"] = str(guild_id)
            if webhook_id is None:
                data["member"] = {k: v for k, v in member(author).items() if k != "user"}
        if webhook_id is not None:
            data["webhook_id"] = str(webhook_id)
        return data

    def _interaction(
        self, kind: int, data: dict[str, Any], *, author: dict[str, Any], channel_id: int, message: dict[str, Any] | None
    ) -> dict[str, Any]:
        interaction_id = self.new_id()
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(APP_ID),
            "type": kind,
            "token": self._token(interaction_id, channel_id),
            "version": 1,
            "data": data,
            "channel_id": str(channel_id),
            "locale": "en-US",
            "app_permissions": str(app_permissions(channel_id)),
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "context": 0,
            "attachment_size_limit": 8 * 1024 * 1024,
        }
        if channel_id == DM_CHANNEL:
            payload["user"] = author
            payload["channel"] = {"id": str(channel_id), "type": 1, "recipients": [author]}
            payload["context"] = 1
        else:
            payload["guild_id"] = str(GUILD_ID)
            payload["guild_locale"] = "en-US"
            # Discord would not show a command to a member without its default_member_permissions, but a
            # server's admins can grant it to anyone: the stand-in delivers it, and the bot checks again.
            payload["member"] = member(author, permissions=self.permissions.get(author["id"], EVERYONE_PERMISSIONS))
            payload["channel"] = next(c for c in CHANNELS if int(c["id"]) == channel_id)
        if message is not None:
            payload["message"] = message
        return payload

    def _token(self, interaction_id: int, channel_id: int) -> str:
        token = f"interaction-token-{interaction_id}"
        self._token_channels[token] = channel_id
        return token

    def _command_data(self, name: str, options: dict[str, Any], focused: str | None = None) -> dict[str, Any]:
        """The data of a command's interaction; "group sub" names a subcommand of a command group."""
        top, _, sub = name.partition(" ")
        synced = self.commands.get(str(GUILD_ID)) or self.commands.get("global") or []
        command = next((c for c in synced if c["name"] == top), None)
        assert command is not None, f"/{top} was never synced"
        declared = command.get("options", [])
        if sub:
            subcommand = next((o for o in declared if o["name"] == sub and o["type"] == 1), None)
            assert subcommand is not None, f"/{top} has no subcommand {sub!r}"
            declared = subcommand.get("options", [])
        types = {o["name"]: o["type"] for o in declared}
        values = [
            {"name": k, "type": types[k], "value": v, **({"focused": True} if k == focused else {})} for k, v in options.items()
        ]
        data: dict[str, Any] = {
            "id": command["id"],
            "name": top,
            "type": 1,
            "options": [{"name": sub, "type": 1, "options": values}] if sub else values,
        }
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        return data

    def slash_payload(
        self, name: str, *, author: dict[str, Any] = ALICE, channel_id: int = LISTED_CHANNEL, **options: Any
    ) -> dict[str, Any]:
        """The INTERACTION_CREATE payload for a slash command (for tests that break it before sending)."""
        return self._interaction(2, self._command_data(name, options), author=author, channel_id=channel_id, message=None)

    async def slash(
        self, name: str, *, author: dict[str, Any] = ALICE, channel_id: int = LISTED_CHANNEL, **options: Any
    ) -> tuple[str, float]:
        """INTERACTION_CREATE for a slash command; returns the interaction's id and send time."""
        payload = self.slash_payload(name, author=author, channel_id=channel_id, **options)
        sent = await self.dispatch("INTERACTION_CREATE", payload)
        return payload["id"], sent

    async def autocomplete(
        self, name: str, focused: str, *, author: dict[str, Any] = ALICE, channel_id: int = LISTED_CHANNEL, **options: Any
    ) -> str:
        """INTERACTION_CREATE for autocomplete of one option; returns the interaction's id."""
        data = self._command_data(name, options, focused)
        payload = self._interaction(4, data, author=author, channel_id=channel_id, message=None)
        await self.dispatch("INTERACTION_CREATE", payload)
        return str(payload["id"])

    async def click(
        self, message_id: int, custom_id: str, *, author: dict[str, Any] = ALICE, channel_id: int = LISTED_CHANNEL
    ) -> str:
        """INTERACTION_CREATE for a button on a message the bot posted; returns the interaction's id."""
        message = self.posted[message_id]
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._interaction(3, data, author=author, channel_id=channel_id, message=message)
        await self.dispatch("INTERACTION_CREATE", payload)
        return str(payload["id"])
